from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "users" (
    "id" UUID NOT NULL PRIMARY KEY,
    "email" VARCHAR(320) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS "refresh_tokens" (
    "id" UUID NOT NULL PRIMARY KEY,
    "family_id" UUID NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "used_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ,
    "user_id" UUID NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_refresh_tok_family__59d0e5" ON "refresh_tokens" ("family_id");
COMMENT ON TABLE "refresh_tokens" IS 'One issued refresh token. Rotation chains tokens into a family sharing `family_id`.';
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
    "eJztmO1P2kAYwP+Vpp9c4ogiojHLEkSMzAkL1m1xWerRPtCL7R32riJx/u+7O/pCW4pgwK"
    "HjC6HPy738nnt5nnvUUcCdUgd6PjDHoLdA9CPtUSfIA/FninZbCAeDSCc/Oeq6ytgf25lc"
    "GjJl2WXcRxYX2h5yGQiRDczy8YBjKnvS2wQ0zFgAtha6a8q9pHUoR9JKsxyECRuLmYYJpx"
    "oSzXnYHWnMQT4mfe1m/G1i+6YkO7apJXoWmhX2ERB8F4CYbR+4A77o6ddvIcbEhgdg0efg"
    "1uxhcO0UVmzLBpTc5KOBkl1dNU9OlaUcf9e0qBt4JLEejLhDSWweBNguSR+p6wMBH3GwJ0"
    "CTwHXDyESi8YiFgPsBxEO1E4ENPRS4Mlz6p15ALMVG9SR/Kp/DoU2YmWarbZiXDcM09Vx0"
    "5RAywQhFFiVyZQjQEtTj07jdBIiS6rKD+lmts7VX/aAQUMb7vlIqXPqTckQcjV0V9IRyHK"
    "9FYKeclsk8EsyAHvFaM8IJUbU/TAcxJ4+0LrbJdKRprwxTMcjVrOAVwtQ99GC6QPriADzS"
    "qpUZcL/XOopvtaL4UnEajg/LVqgpK1Uas+WDRGEinsd8IjQcezAdddozg9oOXUvRn+Us4+"
    "Rkfw30YoJ2m7ijMOQz0BvNi8alUbv4JrvzGLtzFb+a0ZCaspKOMtKtaiZMcSPaj6ZxpslP"
    "7brdamQ3S2xnXOtyTOJypCahQxPZE6szkkbUUlGHhwEWrb0g6mnPdxj1NxLliMnMMAfsRT"
    "t7wm0JAQ7X4ya+y4+vD/fivntJiNOemyivc5TFdvQXzCwnXFabV65LUJ9JLGV11LudmrlL"
    "VHm0p9QH3CfnMFKAm2IciFgwBagqW6/CRt4m0ESabGQfDeNicnI5iZnb4AIf5+G1y3rtpK"
    "Ervl1k3Q6Rb5sp0FJDyzQjiW3zKq/sZSWIoL6CI2cR7qKQee4BIYpE0cOBnMp87wXFFDfV"
    "+Bps6e0Z1Th4CLuLlI2xw7urGPfKO3OUjMKqsGZUunTROECMDanYvouW5znH5fD+14Viin"
    "h5f38O4sKqkLjSbcr0/7NMz6UqxXfrZCGQfQ5PL5Hj0P/0vAOueoYuymSyD/BvbDEUZTRP"
    "q8tDauBjy8lnIqF8Ri6CEou1SUaahC+Qi0jAmUUSruv1vR77cggfy7uVg8rhXrVyKEzUMG"
    "PJwYwTpNkynsk97kV+Ge6veW/FCZfNfTjffSi31AKEQ/N3SHd3Z578TlgV0lW6TLZBCQcy"
    "JdX4ctluFaQZiUs2x8AW1/5oLma5s+IN0J4BV8JIJRIR062L2s8s7vrX9nE2Q5ANHE97nX"
    "jNcvrpL/YSJiU="
)
