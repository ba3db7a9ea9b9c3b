from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "account_deletions" (
    "user_id" UUID NOT NULL PRIMARY KEY,
    "requested_at" TIMESTAMPTZ NOT NULL,
    "attempts" INT NOT NULL
);
COMMENT ON TABLE "account_deletions" IS 'The outbox of deleted accounts: svc_images is told to purge each (retried until it answers).';
        CREATE TABLE IF NOT EXISTS "sign_ins" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_used_at" TIMESTAMPTZ NOT NULL,
    "user_agent" VARCHAR(255) NOT NULL,
    "ended_at" TIMESTAMPTZ,
    "user_id" UUID NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "sign_ins" IS 'One session (a sign-in): the refresh-token family `id`, what the session list shows of it.';
-- Sessions signed in before this release: one row per refresh-token family, used when it last rotated.
INSERT INTO "sign_ins" ("id", "created_at", "last_used_at", "user_agent", "ended_at", "user_id")
SELECT "family_id", MIN("created_at"), MAX("created_at"), '',
       CASE WHEN BOOL_AND("revoked_at" IS NOT NULL) THEN MAX("revoked_at") END, (ARRAY_AGG("user_id"))[1]
FROM "refresh_tokens" GROUP BY "family_id"
ON CONFLICT DO NOTHING;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "account_deletions";
        DROP TABLE IF EXISTS "sign_ins";"""


MODELS_STATE = (
    "eJztWltv2zYU/iuEnhIgMVLHTYtgGODcUK+LXSTONnQdFEaiLSIS6YpUHKPLf98hJVl3z3"
    "aj1jb0YliH5/DyfSTPRfpm4EA6ra5l8YDJC+ISSTkzTtE3g2GPwJ9yhQOQTyZxs3qU+MEN"
    "9UNV0450hVZ+ENLHlgSFEXYFAZFNhOXTSTSeMXQI4oF84M+Ij5A2JjaKOhOnSDxZJvXwmA"
    "hEBZLcteEHTQJ/TBDBloP2fCJ9CjagT11EJcJMTIkv9ltqBja3YAqUjese7Av7wvocjbhP"
    "6JihRzI7RRLGCwTxkc+nqscxZwRRpuUCcEYADhOAD4ABQizR1KcSRpcOaIOyXkLA6NeAmJ"
    "KPCRj6sJC//wExZTZ5JiJ+nDyaI0pcO0OiGtyktupFN5pyNtENd3e9iyutrjB6MC3uBh7L"
    "mUxm0uFsbhME1G4pQ9U2Joz4GOBLUcsC1422QywK5w4C6QdkPmk7EdhkhANXbRDjl1HAQi"
    "j0SOqn82s0v5SaafYHQ/P2cmiaRmE/qSnkWI9EFmxJgJsC0Qqil7DfBBUtNdQA5x+6N3vH"
    "J/saAi7k2NeNGjPjRRtiiUNTDX+Ct09gtQJQMbEsgn4BeEnqkXLg87Y59O3IuBX/WYeFWJ"
    "DQkBzLGOAYwhpAhzVie8DcWcT/AhKGvevL22H3+pMazhPiq6sR7A4vVUtbS2c56V7IGYcb"
    "J7yT5p2gP3vDD0g9os+D/mWe2bne8LOh5gSXGzcZn5rYTm3VWBqjBpqp61JK4k2kKLLeY7"
    "Kc8LRJjmwArC56j+ridqxmcNh+03nXeX980nkPKnqWc8m7BXT3+kM4WuoeGz2mTpYSPGDr"
    "cYp92yy08Dav0i02eW0vL8EMrno7WlHEu9O6ISPYFs6QP5ISj5hpXeAO/VAPbm1QXNIXDp"
    "R3ECIA/xKZI23eQjdcYn0zWg4ALkIxOCkG7glDdx51Z0g4WDGE7sNnuMTviy6wpjG+w0et"
    "5p4az7SeZ5rztQrYGaPXxLx4URVAr9ENfQ/CCaL6fJgOFk4R0nM4JuWQZq1ymMIk69nBdf"
    "p0Dz+bLmFjuABP0UlnAbh/dG80viednJ/uRy1t3ZSF2YKYYb2AKmvZhFPbFE6R5wmF3tZg"
    "PWu5g6xvCcsxJgtphmRznZOdMnsFgqP92PD7+vz65An83XrZcNqyYXmTWd6cKtPmkvo/gW"
    "Uh882iW4T2KqwzfiQzDXAP5oGZRUoA1WnrXdTJdgKaSJOD7OPpPJlMbydYeVjY1ah3b8+7"
    "F5fGy88oJNwCP72SEkIkP6guHgjQMOkqZQNBhFD56R5GyviQsv2w/Bwl+Yc674iz+HtI2w"
    "/QVBWcdSk6MnapkJDh86lQ5XEqy6sH9Q3VFBE24CY6WFBEaHKxSsB3OBdzsZDmmpF63nYH"
    "md8SppeP5MCXsRKiq2taWavXqWktQ6pR1+2ZrWm1375doqgFWpVVLd2WLWsRWNc6Bypt12"
    "RFG3+WmqyoyYqarCidFWnMCzlRzERVRqSWslw6VI1ik15swJE+WJBeEA9Td5XAY26wc+/R"
    "jttHS8QcoFUZc+i2bMwxwUJMORzfVV9aFgx/XIz3wxCvJcprEuZq9HcrYV7h06X065H8R0"
    "LZLXIW2V99vCEujr/ALYtk8p8lbdlmqIpoMocpXRVdF6ek9rorCNUXqXWJTy2nGKtF8gXR"
    "Gk40NiZcq/wMszRaK/kAMzr5mxtAvMIHmIuisyeIwKOTtWzckDJpIoblIgZ1pFZAOFLfQX"
    "TfHC0TAYNWJbq6LRePcSZLi5u/3Q76FYFYYpKPwqgl0b/6VdYWor0AXAVGJtSKMd277v6V"
    "h/v898FZPoZSHZz97O+5X/4DR6cOCg=="
)
