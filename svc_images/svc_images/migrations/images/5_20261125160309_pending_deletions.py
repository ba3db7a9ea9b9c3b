from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "pending_deletions" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(255) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "attempts" INT NOT NULL
);
COMMENT ON TABLE "pending_deletions" IS 'An object to remove from S3 (the outbox of image deletions): written in the transaction that';
-- The sweep asks whether any row still names a key (a shared original) before removing its object.
CREATE INDEX IF NOT EXISTS "idx_images_original_key" ON "images" ("original_key");
CREATE INDEX IF NOT EXISTS "idx_image_outputs_key" ON "image_outputs" ("key");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_image_outputs_key";
        DROP INDEX IF EXISTS "idx_images_original_key";
        DROP TABLE IF EXISTS "pending_deletions";"""


MODELS_STATE = (
    "eJztW21T2zgQ/isaf4IZyoTwetzNzQQIvVxb0kK467R0jBIriQ5bcmWZkOP477eS7fg9TS"
    "gpCfUXiFe7WvlZvaweyfcGdfCAeJst9c84RPcGw476kS7YQAZ23VisBBJ3bZIW4a4nBe5J"
    "kPax7REQWcTrCepKyhlImW/bSsh7oEjZIBb5jH71iSn5gMghEVDw+QuIKbPIHVQOj/dGnx"
    "Lb0r8N3yPCpJZy6rs2xxaxTCwNZULuXEE8Dxx6US3hO4Wu5NjV7Ta0MjRYPzxsoJQHT2Lp"
    "e4EDC8vvr18pujemdpFGWr+GlpuR7eVl6+RUayq4umaP277DYm13LIecTdR9n1qbykaVDQ"
    "gjQrU4EQbVtDBekShAHARS+GQCtRULLNLHvq2CafzW91lPxRBpT+rPzu9h0xJqpnnW7pgX"
    "zY5pGnPEvgdQAkyUSYXo/UNQbwyIlhrKwfEfjfO17b11DQH35EDoQg2X8aANscRmHMYY5U"
    "SPmRXqhMlT4h0JYsDjwRJBGYG1ZPDGcHJBB5Rh29SCHKjHQyyKQc0ZZqCFpq4gqIaD70yb"
    "sIEcwmN9d3cKyn81zjXQoKWR5jBlBjPpWVhUD8rSiINHSZgMgJoD8KzdC8R7b2cGuPd2St"
    "FWRSXd+4aMH9W7Q7sXCPZCOne82uaRbjLf0Wi3oFWY9UgO9dj6x+FtgKpPrDkXQePDZfOy"
    "eXKIAusr9v68fdy8uGidvT5EruA9lVmwwRU7aZ81D5HFGblip43WW2XTx9QOPc4Zs629GU"
    "K2tVcaMVWUDtiIWlBzLl4tJosHxkQ/EyFo7yqOCJ0sv6pv7ezvHGzv7RyAim7oRLI/BfDW"
    "WSeD5pDQwVDOAWdsUOFZgKdH/yVmdyxJwZRyRAelsKbtXhK0v9Tr29v79dr23sHuzv7+7k"
    "FtgnG+aBrYR63XCu/URJEPABGCizz2HdgPFSM/MXjUDB7uWJYF8ynwdZofNXiO5321k5Ps"
    "2rvGRz3/OuOw5G377HWknpiUj9+2jzJoh+ioVs4+haSNflxfr63IHJLkFXKongAokjqkZO"
    "OYNs1ga4W2m9GPVZxVBMFWm9njcPBN6/Gtd82LTuPd+1S3P2l0mqqknurykXQtm4pMKkF/"
    "tzp/IPWIPkGKlN2pTvQ6nxSjY2BfcpPxkYmtBLMRSSPUMnGf0D1zhz1pWUV9WaIeYZQIe9"
    "j6OOph7v2ouGdtnyDyK7SgLXegg/GtuNf+TYIXVIIu7t2MsLDMVEmCA/Cl68uiDDI0PH1z"
    "TuzSFTTBn7d1TSs44B+irh5Jo6Gj8ON1XoZovsipO1kJZgCNFfpWngogKzuRiBH9xrmEmY"
    "jiN48njDYjSBDAWhALBZaI9xFmSFeG1iS38BhxmALRNQczBzYM1vX6BvIkVzaUoYtthCW6"
    "viHj683sXn0hDgqOTj4HL69KNXpfMmcpc51FTNswFbLjBcljOJ993zHEC9kllZ9RzMulv2"
    "AK/ekp3TmZ3IrArU4nlrUrV+RrRb4uL54V+frM5GsPtumPYzDSlhWDsSwb21l4q2C7M+dl"
    "ooRNdcUFhlGOKMjgmwf3FLZldMDekHHujHoKI7C6oOa4ABALPJrsJVN9Ct7eIjaRQRLYuD"
    "hunDSDm3DF5MsiaYX3sO2G9ztR7QlePUctZFU2ptELbqAcvKC+DbgxC8XQYIh3/yE9iSRH"
    "gjj8lqC+4I7a1q/B/l2xAl1+p1iBgBKY1L9+iEaCSkiXFQugVMEV83BwMU8Og0k7RTcs0t"
    "kVC0LrISo9JPjI2whdWIjDCFA+oLP0qXCgxBsRV6LuGGGklg6BRkNqax3qIYuP2OYVu2Kq"
    "veENGiWPq7PHQZ2Mhw0Ff0hFT3lHmI2RA+MQrWHl8pYIGFWv8AB6aajuwQZE666XUSYVQ7"
    "I8qUw5Q1Jt4he6ia8Sx58wccQwyztu0UFH6aSWNKluDnSKEsfnSXIu9c2Dc+IRcYvL0py8"
    "0tREJ7jNYIpYf8ZU54PPJYaVGvKNIbRer/4MBdWprKJvKx5lA/lMUltnEfHa3uMg9XTioS"
    "kB0PckDMH8kcpCvOhkRKtAhmTT2zDLCWvV+choSILEKDz+RRaFVMWh1qtA61eVmXiSu17g"
    "BpqLVNZ0Te5cCmDCXFl6fjPjpy9xTdWXKdWXKT/xtr2iH589Z0/c/YxnpTmzyLTlC8wiVy"
    "RrfIp7NIvMchpE0N6wKLUJS6bmMzjWWeT3qnOtqj8LffCdh0zli+gtEV7h/edyciBhUhEE"
    "sxEEalDNgXCo/gLR3arVZvmiqlYr/6RKlRXeocgj/OdF+2zq9Ymi5ZL2JPoP2dRbxcxlCr"
    "gKjNQamfuCIvuxRGbxUxUcPfeW/eF/YnvxIA=="
)
