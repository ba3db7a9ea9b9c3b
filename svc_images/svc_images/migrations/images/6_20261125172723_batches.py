from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "batches" (
    "id" UUID NOT NULL PRIMARY KEY,
    "user_id" UUID NOT NULL,
    "options" JSONB NOT NULL,
    "refused" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_batches_user_id_064b53" ON "batches" ("user_id", "created_at");
COMMENT ON TABLE "batches" IS 'Files uploaded together with the same options; its images name it (`images.batch_id`).';
        -- Migrations 3 and 4 (made side by side) added images' other new columns; only this one is new.
        ALTER TABLE "images" ADD "batch_id" UUID;
        CREATE INDEX IF NOT EXISTS "idx_images_batch_i_25a472" ON "images" ("batch_id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_images_batch_i_25a472";
        ALTER TABLE "images" DROP COLUMN "batch_id";
        DROP TABLE IF EXISTS "batches";"""


MODELS_STATE = (
    "eJztXG1T2zgQ/iuafIIZyoTwetzNzSQQ2lwhaSHcdVo6RrGVRIcjubZMSDn++61kO34PCR"
    "BIUn+BZLUrKc/q5dGu7PsSHeAecTZrWOj90iG6LzE8IPAhXrCBStiyQrEUCNwxlWZHqngy"
    "3HGEjXUB4i42HQIigzi6TS1BOZPKJ9QkDnItk2ODGEjwHhF9YqMhFX0En5AD7SOu9J3fER"
    "UO8ppEsmPwHa1d+11T7WrUuF7flG0bXIfGKevNtxmX0R8u0YIaobFv30FMmUHuAAT4el/q"
    "UmIa6nPJdYgNxtJStwkWxNCwKEkLcmfZxHFkB4JKfOyZa5oS4JGl8C0pZcBVfXmQitaNpt"
    "qIe0y1ouRaYHt52Tg+UZoSoY6mc9MdsFDbGok+Z2N116XGprSRZT3CiC17HPGm7Jrv90Dk"
    "AQICYbtkjIQRCgzSxa4px0Tpj67LdIk5Ui3JPzt/+l2LqGlas9XWLuptTSulhpCPTtTdvk"
    "gHKAEmyoRE9P7BqzcERElLsoGjD9Xzte29dQUBd0TPVoUKrtKDMsQCa6EfQ5QjDp0W6ojJ"
    "S+IdCELAwzkXQBmAtWDwhnD6UzAN518XrWY2nBGTBJwG1QX6D5nUEasFqARD1jxwnB+mFD"
    "T/rp4rlM+qXxTMHJZdbzluHp22aknkZQW1BPQ26cLIzBjJDSaykY9YJJCH3zAvxMtzghs6"
    "C//eVbZ29ncOtvd2DkBF9XIs2Z/gkUaznYAzsrynED2GEkEHJBvWuGVyTPumm8GHJRzZMH"
    "Cw0WLmyN8UJuDabpzVL9rVs0+x4X5cbddlSUVJRwnp2l5iCowrQf802h+Q/Iq+tpr15KwY"
    "67W/lmSfsCu4xvhQw0Zk/wqkAWpqB+7eRHYHKehg/WaIbUNLlfAKz9NNFw0qg6QEM+Ahhg"
    "+u7KZPTBryXxZn8womcrZQ9Chly/fy06lQQMyey4Xk/Iu04AgsXMdrwCi4VsG1Cq4V41o2"
    "7VGGTU0JUqAe9bGdw7iShglooatLCCqsrHeaSVhPyJNvZXd3AsoB3QKtJN3yiypeWYITcC"
    "YIEx5QMwCetFtBvPd2poB7bycXbVmUM7xvyOhJo9u3W0Gw5zK4w902jXSduQOFdgN6hZlO"
    "UqiH1q+HdwlUXWLMuAmWPl/WL+vHh8izvmKfzltH9YuLRvP9IbJsrktmwXpX7Bgo5iEyOC"
    "NX7KTaOJU2XUxNv8UZfba1N4XLtpLUN/SYLIo7bEgN0Z/huDfWf73D3jxnxAuf9/qE9voZ"
    "Z71cOEODAs8MPB36k2idkSAZS0qN9nJhjdutErS/VSrb2/uV8vbewe7O/v7uQXmMcbpoEt"
    "i1xnuJd2yhSDuA2Da309i34TyUjfzY4EkruH9iWRTMJ8Uk6l/ak6Nv45DEaav5PlBPhuTi"
    "aPvoyF5Ov4TEjYoYXHIIR+MKKVQnB+ESpkUUbtGjcHG/G0+MvcYtC68vitcDjCJu93sfet"
    "3n3k/ye9L2BTy/RBvaYjs6Pb/fMEu4PF6dS5LQMrFO+tw0SAY1zI+pJMxWgSAmTueVg2mO"
    "55WD/PO5LMuJYPWxo5lcz6GHNc5Ngtkj0axkHQkfdKCSeW1nY8nrToBaq3UamwC1RpKIX5"
    "7V6uAW5RRQoiLnLBRc+pkl9RC1eUbu4fFhn8r1LGTmYYYsaWQGuMJyRVYEwDc8+XhOzNwT"
    "UCT/2VI1LSFhewjGVSANqM/cc8k+ZHkZ5RDRR/LKWsSLj98IbDGCbAJY28RAniXiXYSZdy"
    "MPrQlu4BHiQGHRtdzVB/QnMa7XN5AjuLShDF1sIyzQ9Q0ZXafvAs6jgYzU9zfvx8tShd73"
    "RC58plzypIBX5gqTcfj3l4nnpZFXJMqVn2OeNRe6winQl0/JzZiJKxJwRXZ5UYdykTwrkm"
    "eLi2eRPHvj5Flx+zffIcsZgZ4m7+Add2a8DBqxKa4oZgUKEvimwT2BYxntsY9klLpjNCEi"
    "sLygpmIBILbxcHyWjI0p+PUGMYkX2TqqXhxVj+veTebXv6L+CY7d8PuOZX+8n54KLSRVNi"
    "aFFyxP2fuBQXj/8RBDlSHe+ZfoAgmObDLgtwR1bT6Qx/o1+TQgd0WH38mogBcSGNe/foiG"
    "NhVAl2UUQKpCU8zB3sVq0fcW7Vi4YZ6NXTHPtY56YtHmQ2fDb8JAHGaAbAMGS5faAyhxhs"
    "QSqDNCGMmtw0bDPjWVDnWQwYds84pdMdlfP2Ys5WF15sirk3G/o9CeejxSto4wG6EBzEO0"
    "hmWTt8SGWfUO92CU+uoOHECU7rQPThYRkoWMkBSH+Lke4gvi+AsSRwyr/MDKSnTkLmpRk+"
    "LmV3u2DNM8Sc6lujl2Thxi3+I8mpNWmkh0vNtomh3qT0l1PrtcYNipgW/0ofdq92f+ixAk"
    "q+iaMo6ygVwmqBm+90Dt7ToHqaOIhwoJgL4jYAqmUypzaUWREaUCDMmktz7L8WtVfGTYJx"
    "4x8q/vIIMCVRlQ452nJd/kILM2luM1A91FkjVdkzuLApiwVubmb6Z8dDGsqXiysHiy8Bc+"
    "thfhxzfn7JG7++GqNCOLjFuuIItcEtaYew9yQVhOldg0+xVRfslEPoNDnXm+b2CmXfVXCR"
    "88M8mUv4neEtvJvKCYHxyImBQBgukCBHJSzYCwr76C6G6Vy9NcuS2X86/cyrLMOxRphPNv"
    "lkdMivdPzXi1/E03s4f/AeBB5PQ="
)
