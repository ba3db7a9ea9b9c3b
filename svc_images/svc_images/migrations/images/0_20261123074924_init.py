from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


# Edited by hand: the (user_id, uploaded_at) index is DESC, the order every listing reads it in.
async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "images" (
    "id" UUID NOT NULL PRIMARY KEY,
    "user_id" UUID NOT NULL,
    "original_name" VARCHAR(255) NOT NULL,
    "content_type" VARCHAR(64) NOT NULL,
    "original_key" VARCHAR(255) NOT NULL,
    "optimized_key" VARCHAR(255),
    "status" VARCHAR(16) NOT NULL,
    "width" INT NOT NULL,
    "height" INT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "optimized_width" INT,
    "optimized_height" INT,
    "optimized_size_bytes" BIGINT,
    "error" TEXT,
    "generation" INT NOT NULL,
    "uploaded_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "processed_at" TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS "idx_images_user_id_7b9594" ON "images" ("user_id", "uploaded_at" DESC);
CREATE INDEX IF NOT EXISTS "idx_images_status_79860e" ON "images" ("status", "updated_at");
COMMENT ON COLUMN "images"."status" IS 'QUEUED: queued\nPROCESSING: processing\nDONE: done\nFAILED: failed';
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztme1P4zYYwP+VKJ+YxFBJS8vQNKnQHJcJ2jsattONyXITN7VInFziHHQc//tsN+9van"
    "ocazu+QPK82O7vcR6/PE8ydqCFgiON/5PPpCeZQIc/5BWHkgw9LxVzAYUzG+VFcBZQHxqU"
    "SefQDhATmSgwfOxR7BImJaFtc6FrMENMrFQUEvwlRIC6FqIL5DPFX38zMSYmemSNs9cneY"
    "6RbYpnOQyQD7DJOw0924UmMgGkMndBj56PgoB1GMStRL8p6oouPTFuWRizAYuX50Mp10NA"
    "IQ2DVQcmpN/fPjf07oHoIk9a/AwhB7Hv7a02eicsOa4ZMFw7dEhq7S3pwiWJeRhi84j7cJ"
    "2FCPL5iDNh4EOL4hWLVsSZgPohSlCbqcBEcxjaPJjyr/OQGDyGkuiJ/+n9Fg0tYwbAeKKD"
    "qaoDILeIvcFQMkyYUE706XnVbgpESGXewcX74c1Bt/+TQOAG1PKFUuCSn4UjpBCkYUwpZ2"
    "bMuqgzLi/JOxakwNOPJUYZw9oyvClO18cWJtAGQlCCerGAfjXUkmMBLRvqDkKVHfgIbEQs"
    "umCvyslJA+U/hjcCNLMSpF2WMleZdByplJUuT5z1SBGhK1AtgBf99pB3v7cG7n6vljZX1U"
    "zve7TcaHZHfnsI+4dMbpcNysH/sFW2LfCi40bEoxXvfwQ83d6USaskdARtjY0KEgOVqKfe"
    "rzfBZWYaongGrMtc/nir3qqjM2nlfUc+3Ewu1OlUG1+eSZ7vGnwrR6w7MpqM1TPJdAm6I+"
    "+G2hX3mUNsRz22jNlxf42QHfdrI8ZV+YA9YJO1XIqXRmj1h5HYFyLExruLKUicTn5WjnuD"
    "3mm33ztlJmKgiWTQAFwb6wWaC4StBW2BM3V441nBM2ApGMyWFFWklHNs1WLN++0T2l8Upd"
    "sdKJ1u//SkNxicnHYSxmVVE+xz7ZLzziWKcgDSdbBtoqjw3CgO27aGvvAMTzG1zh1Vrm+I"
    "mxBvmk7qWtgj2q+cV5Dvu345CDp6rAlB4rAPG/EGfLr6ScBzguCLnd28HVwPP4l9nbOMNF"
    "eT8WVsntnsXVxNzgu0Izp8lOunl7zT662hnR1JK9kL4hLVEYPCcgaquQHMuxbYmpHvUfyw"
    "i7sVH0FzQuxl9PE1zXjtWp3qw+sPuWk/Guoq1yi5KR9LD4pHnKQR6U9Nfy/xV+kzO3oVrx"
    "wTO/0zv5qXYUhdQNwHAM3MFXUsjakV4p7c27cOe9bzLerbEvWYUSbs0ejTqEdn+o3iXvR9"
    "gcjv0IK23YFefd+8iDa/zxR4uGAGjfsH6JugpHEVt862rHIUpyiBBFoiSJwmH2dUFR0iHx"
    "sLuaJeGmkOmwqmMLX5kQXTVgXH2t1FZf2rYlcRTfTvKzRu/WGlvr74FflB5b6t/u464/JW"
    "J1jv2pp/VC0IR+Z7SPe401nnhrnTqb9i5rrKEmOZ8O/Tybixuli1WmKDSt8kGwe7eIvXAJ"
    "fDaD75FQ95hcWPN8BPfv/pYvb8L01Uby0="
)
