from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "upload_reservations" (
    "id" UUID NOT NULL PRIMARY KEY,
    "user_id" UUID NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_upload_rese_user_id_b415b0" ON "upload_reservations" ("user_id", "expires_at");
COMMENT ON TABLE "upload_reservations" IS 'Quota room held by an upload in flight, until its image row counts the bytes instead.';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "upload_reservations";"""


MODELS_STATE = (
    "eJztmu1P4zYYwP8VK5+YxKFSSuHYNKlAj+sE7R2U7XTrlHMTN7VI7FzsAB3jf5/tJM171P"
    "SAtV2/QPO82E9+j/PYsfOkYQdaiO315D/tBDxpBDryR1qxCzTourFYCjgc2ygtgmPGPWhw"
    "IZ1AmyEhMhEzPOxyTImQEt+2pZAawhATKxb5BH/3kc6phfgUeULx519CjImJHkXj4vJJm2"
    "Bkm+q35jPk6diUnfquTaGJTB1yTbqgR9dDjIkOWdRKeE9hV3zmqrg1ZSwCVhfPuyDVA+OQ"
    "+yzowIT8x9uXhu6drrpIk1a3oeR65Ht72zv/oCwlrrFuUNt3SGztzviUkrm572NzT/pInY"
    "UI8mTEiTTI0MJ8RaKAuBBwz0dz1GYsMNEE+rZMpvbLxCeGzCFQPck/rV/D0BJmut4fDPWb"
    "7lDXtRq5NwRKgQkTLok+PQftxkCUVJMdnH3sXO8ctH9SCCjjlqeUCpf2rBwhh3qcxphyYs"
    "Qsijrh8pK8I0EMPH5YIpQRrBXDG+OkHrYwgbauBDmoZ1PoFUPNOWbQilDXEKrmwEfdRsTi"
    "U3HZPDysoPx751qBFlaKNBUlM6ik/VDVDHRp4qJHjggPQNUAnvXbQN7t1gK4261S2lJVMr"
    "zv0Gyp0R36bSDsVxncVATl4L/FLFsXeNZxKeLhjPc/Ah4vb/Kku8R3FO2eiAoSA+Wox95v"
    "N8A1YeqjaAQsylz7fNu97Z6fgMB7RD5dD866Nze9/sUJcD1qyKUcsUbkfNDvngCTEjQiHz"
    "q9S+kzgdgOe6yZs/32Ainbb5dmTKrSCXvApmg5l68e4cUPxtw+kyER7zqWIPV28q653zpq"
    "HR+0W8fCRAU6lxxVAO/1hxmaU4StKa+BM3bY8izgyUQJ1sczjgpKyim2SrGm/TYJ7ftm8+"
    "DgqNk4aB8fto6ODo8bc8Z5VRXs096F5J0qFPkExPNg3UJR4LlUHlZtDn3hER5jql07ily3"
    "iKsQL1tOylrYINpvXFeQ51Evn4QheixJwdxhExbiFfiG3S8KnsPYdzu5eNu56nxR6zpnFm"
    "ouB/2LyDyx2Du7HJxmaId0ZJSLl5e009vNoY01KSvJDeIc1XMBRdQMVLIDmHbNsDVD373o"
    "xzquVjwEzQGxZ+HDVzXie1fdm2Hn6lNq2J93hl2paaaGfCTdyb7izBsBf/SGH4G8BF/Fq1"
    "d2y3FuN/wqt+Y16HOqE/qgQzOxRR1JI2qZvM/37WunPem5zfqqZD1ilEh7GH2c9fCdfqm8"
    "Z31fIPNrNKGtdqKD51seok3uEgc8UjCGxt0D9Ew9p6FNWmabVzlNJyuBBFoqSZKmjDM8Fb"
    "1V88I1Ysi7h2EOckeneaPdqmPUYK7Rvdh+sTNV7bNPOQQepQ6YiujBeAYgAUFzABMwseVL"
    "xy7wCcc2wJwB1bvweAAGFVIG+BQBtVgW9oyL2rCX3fR6nV5GZEQ6yoT63Mb3UiUMw1apKF"
    "DgYYqI8gwfTmBiZAIHm+8Cq5+FB2CcuizoRoQLIB+Rb+jRxQKmeJS/qbtZ/oQ5bml7ALw9"
    "AN4eAG93/FbizTyuSjWXOWnPDVzeblc5L7LK6SAPG9OipU2oqVzPwNjmNT8LqzWrllalwi"
    "JfUI3CmfHHZtOV35Itn0TvkccKd6fKT+gTLtuvIRY7nJcPVQ3CofkG0t1vNBY5R280yg/S"
    "pa7wQ6o84d9uBv3Kb6iKpktscPAPsDFbx5VLBVwJo3p/O7uVnZn8ZANyf/s/ncye/wUl3F"
    "LE"
)
