from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Each image's one WebP moves from the `optimized_*` columns to a row of its own named `optimized`,
# keeping its object key (rows from before the key was stored get the key it was written at).


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "image_outputs" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(64) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "content_type" VARCHAR(64) NOT NULL,
    "width" INT NOT NULL,
    "height" INT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "image_id" UUID NOT NULL REFERENCES "images" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_image_outpu_image_i_d88d4a" UNIQUE ("image_id", "name")
);
COMMENT ON TABLE "image_outputs" IS 'One rendered output of an image (today only `optimized`), stored in S3 at `key`.';
        INSERT INTO "image_outputs" ("image_id", "name", "key", "content_type", "width", "height", "size_bytes", "created_at")
    SELECT "id", 'optimized', COALESCE("optimized_key", 'optimized/' || "user_id" || '/' || "id" || '.webp'), 'image/webp',
           COALESCE("optimized_width", "width"), COALESCE("optimized_height", "height"), "optimized_size_bytes",
           COALESCE("processed_at", "updated_at")
    FROM "images" WHERE "optimized_size_bytes" IS NOT NULL;
        ALTER TABLE "images" DROP COLUMN "optimized_size_bytes";
        ALTER TABLE "images" DROP COLUMN "optimized_key";
        ALTER TABLE "images" DROP COLUMN "optimized_width";
        ALTER TABLE "images" DROP COLUMN "optimized_height";"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "images" ADD "optimized_size_bytes" BIGINT;
        ALTER TABLE "images" ADD "optimized_key" VARCHAR(255);
        ALTER TABLE "images" ADD "optimized_width" INT;
        ALTER TABLE "images" ADD "optimized_height" INT;
        UPDATE "images" SET "optimized_key" = o."key", "optimized_width" = o."width", "optimized_height" = o."height",
           "optimized_size_bytes" = o."size_bytes"
    FROM "image_outputs" o WHERE o."image_id" = "images"."id" AND o."name" = 'optimized';
        DROP TABLE IF EXISTS "image_outputs";"""


MODELS_STATE = (
    "eJztm/1TGjkYx/+VzP5kZ6yDiGi9m5tBxZarQit412ntrHETIONuQrNZlfP83y/J7rLvlF"
    "XxgPJLhSfPk4TPs5uXb9IHgzhwgN2tlvpjHIAHg0JHfUgWbAIDjkaRWRkEvLZx0gSvXcGh"
    "JaS1D20XSxPCrsXJSBBGpZV6tq2MzJKOhA4ik0fJDw+bgg2wGGIuC759l2ZCEb6XlcuvD0"
    "afYBvpz4bnYm4SpBr1RjaDCCMTCkOF4PsRx64rG3TDWoLfFDQlxiPdb0M7yw7rL4+bINGC"
    "K6DwXL8BBMXz61eOoxtTN5EkrX+Gtpth7MVF6/hEeypc16bFbM+hkfdoLIaMTtw9j6AtFa"
    "PKBphirnocS4PqWpCv0OQTlwbBPTxBjSIDwn3o2SqZxu99j1oqh0C3pP6p/RF0LeZmmu1O"
    "z+w2e6ZplMi9JVFKTIQKRfTh0a83AqKthmrg6EPjfGOn/kYjYK4YcF2ocRmPOhAKaEZpjC"
    "jHnphZUcdCXpJ3aIiARy9LiDKEtWB4I5yMkwGh0Da1IQP1aAh5PtRMYAqt7OoSQjUceG/a"
    "mA7EUH6t7u5OofxX41yDll6aNJNDpj+StoOiql+WJC5bFJgKH1QJ4Om4FeRdr82Au14rpK"
    "2KCh7vGzx+0tMdxK0g7Lk83NFsmyXdpJ6jabdkryC1cIZ6FP16vA3p6mFUchI0Pl80L5rH"
    "B8CPvqSfzjtHzW631X5/AEacWWplQQeX9LjTbh4AxCi+pCeN1qmK6UNiBy2WzNl2fYaUbd"
    "cLM6aKkgm7I0jWnMlXi4r8F2Pin8qQ7O8yvhF6sfy2ul3bq+3v1Gv70kV3dGLZmwK81e6l"
    "aA4xGQxFCZxRwJpnDk+X/IPN67HAOUPKIRkUYk3GrRLad9Xqzs5etbJT39+t7e3t7lcmjL"
    "NF02Aftt4r3omBIpsAzDnjWfY9uR/KJz8JeNIIHuxYFoX5FHy95hcNz3HdH3Z8kN04a3zR"
    "468zDkpOO+33oXtsUD467RymaAd0VC9nH0KSQa/3rFeWZAyJ6woZqscSiiAOLtg4JkNTbF"
    "EQuxV+WMZRhWOIOtQeBy/ftCe+ddbs9hpnnxKP/XGj11Ql1cQjH1o30kuRSSXg71bvA1Bf"
    "wVe5RErvVCd+va9K0TGgJ5hJ2Z0JUUzZCK0htVTeJ3JP6bTHI9dZX5Ssh4xiaQ96H2U9WH"
    "s/Ke/p2BfI/BJNaIudaP/9Vtpr/yamCyrDNbRu7iBHZqIkpgF4YuSJvBVkEHjy8RzbhTNo"
    "TD/v6JqW8IV/DB/10Bq+Ooofq7Iiotkip+qkLZBKNChoW7WUg6zoRCIi+pNzCTOWxZ8eTx"
    "gdigHHkjXHCPiRgPUBpEBXBjYEQ3AMmBwCwRWTYY7cMKCrN5vAFUzFEAq6OwAKcHWDx1db"
    "6b36XBrIOTr55v94VarpfU+dpZQ6i5i2YcpVx3MWj8F49rxjiBXZJRWfUZTV0ldYQn95Sb"
    "ekkrsWcNenE4v6KK/F17X4urg81+Lr/yy+WnKb/jQFIxm5VjAWZWM7i27lb3dKXiaKxayv"
    "uMjXKCMUpPhm4Z7IbRkZ0I94nDmjnqIILC/UjBYgzRzeTfaSiWdK/nqEbSz8RWCje9Q4bv"
    "o34fLFl3nKChdalD/HLua3MPjxGXEh67Q5TWLwhX6TR/4zCg2fPSYg4Iw5YCh7D67HSgPw"
    "q1N7/L6tlhibwKOC2IAIN9AHOLsDFpNWF8i9PtCzpfR3hRzWsmrDXFq5pJe0oV2YJ2xyq4"
    "qkY1CrVi7uhpjqyEAZBYhgBByC3vpev8kIJWiMXL8Z2V0AxSW9wvcjImHK+adQ2pjxVmhU"
    "0/rS5vrS5i88o61X5gu0Mo+NSiVX5snIFVyZL8lK/CWOmOa5ymlgTqxh3tImKJm6noGRzz"
    "z/K0epWfVXOXt4pv5SPIneYu7mXg0qVmVjISsoyM5FAFcvVQnCgfsK0t2uVGa5bFypFN82"
    "VmW5xwtZwn92O+2pJwt50yWxBPgX2MRdxpXLFLgKRmKOzFwuTN8jTE1+qoLDPBnkNSezx/"
    "8A60kR5Q=="
)
