from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Every image gets a placeholder and a location flag. Rows of done images keep NULL here: the
# backfill (svc_images/backfill.py) finds them and has the worker make their variants, placeholder
# and flag on the queue, at low priority; it resumes from the rows wherever it stopped.


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "images" ADD "placeholder" VARCHAR(128);
        ALTER TABLE "images" ADD "original_has_location" BOOL NOT NULL DEFAULT False;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "images" DROP COLUMN "placeholder";
        ALTER TABLE "images" DROP COLUMN "original_has_location";"""


MODELS_STATE = (
    "eJztm21z2jgQgP+Kxp/SmTRDCCG53M3NQEJ6XBNoA7nrtOk4whKgiZFcWW7C5fLfT5Jt/E"
    "5xGnpA+dLAalcSz9rSald9NMgEjrC711Z/jBPwaFA4UR+SDbvAgI4TiZVAwIGNkyI4cAWH"
    "lpDSIbRdLEUIuxYnjiCMSin1bFsJmSUVCR1FIo+SLx42BRthMcZcNnz6LMWEIvwgO5dfH4"
    "0hwTbSnw3PxdwkSA3qOTaDCCMTCkOZ4AeHY9eVA7phL8FvCoYSU0fP29DKcsL6y9MuSIzg"
    "Cig81x8AQfH9/StF587UQyRJ65+h5WZoe33dPjvXmgrXwLSY7U1opO1MxZjRmbrnEbSnbF"
    "TbCFPM1YxjblBTC/wVinziUiC4h2eoUSRAeAg9WznT+G3oUUv5EOiR1D+134OpxdRMs9Pt"
    "m71W3zSNEr63JEqJiVChiD4++f1GQLTUUAOc/tG42jmov9IImCtGXDdqXMaTNoQCmpEbI8"
    "qxJ2ZR1DGTl+QdCiLg0csSogxhrRjeCCfjZEQotE0tyEA9HUOeDzVjmEIrp7qGUI0JfDBt"
    "TEdiLL9WDw/nUP6rcaVBSy1Nmskl019JO0FT1W9LEpcjCkyFD6oE8LTdBvKu1xbAXa8V0l"
    "ZNBY/3HZ4+6+kO7DYQ9lIe7mi3zZJuUW+iabflrCC1cIZ6ZP3jeBtS1cOo5CZovL9uXbfO"
    "ToBvfUPfXXVPW71eu/PmBDicWSqyoKMbetbttE4AYhTf0PNG+0LZDCGxgxFL+my/voDL9u"
    "uFHlNNSYfdEyR7zvirTUX+izHTT3lIzncd3wgdLL+u7teOascH9dqxVNETnUmO5gBvd/op"
    "mmNMRmNRAmdksOWZw9Ml/2BzMBU4Z0lpklEh1qTdJqH9pVo9ODiqVg7qx4e1o6PD48qMcb"
    "ZpHuxm+43inVgosg7AnDOeZd+X56F88jODZ63gwYllVZjPwddvfdDwJq77xY4vsjuXjQ96"
    "/Z1Mg5aLbudNqB5blE8vus0U7YCOmuXiS0jS6Mc965U1WUPieYUM1TMJRZAJLjg4Jk1TbF"
    "Fguxd+WMdVhWOIutSeBi/fvCe+fdnq9RuX7xKP/Vmj31It1cQjH0p30qHIrBPwd7v/B1Bf"
    "wUcZIqVPqjO9/keV0TGgJ5hJ2b0JUSyzEUpDaim/z9I9pd0et9x6fVW8HjKKuT2YfeT1IP"
    "Z+lt/Tti/g+TXa0Fbb0dn327GhhcfMRjgnQCk+2afMNiFMSZ0Rq8eLHBKrx8WnRNVWkEcZ"
    "Q9e0mVUQpDQZszGk38ippPtI+WAgO1nWojqT/NiXq9ntXiTeq2Y7HQ5eXzZb0i3aKVKJiF"
    "hErkoOw7tYOlwJBtC6u4ccmYmWmMs84Xgi7+AUGJ6/vcJ2YeAYKxt1dU9ruM89hY9gKA13"
    "DMWPVVkR0WzTpDpJSyCVaFAwthopB1lRIS4i+o1ynBnz4jerckaXYsCxZM0xAr4lYEMAKd"
    "CdgR3BEJwCJnd+cMuk2USek9Htq13gCqZsCAW9AwAFuL3D09u9dIpqKQPkVAw/+T9etWp6"
    "n1MlxFIluHl5gtyiUM6ZKVjwv6/6tiHJgeLSXNkS0gZXjl6+klGygLGtW2yLcqv6KG9rDt"
    "uaw+ry3NYc/ueag8XxMxN3Sctt4m5V8jmLpGv9407JO3Qxm+3NrrxEQYpvFu65PJaREX2L"
    "p5mrGXMyAusLNZMLkGIO72dnycQzJX89wjb2UzGnjd5p46zlXwDNT74sM61wrWtRV9jF/C"
    "sMfnwmuZBV2p2XYvDrWyaP9BdMNLz3mICAMzYBYzl7MJiqHIDfnTrjD20VYuwCjwpiAyLc"
    "ID/A2T2wmJS6QJ71gd4tpb4r5LKWzTYsZZQbekMbWoV5wiZfVZNUDHrVmYv7MabaMigIAE"
    "QwAhOCXvtav0oLldBwXH8YOV0AxQ29xQ8OkTDl/lOY2ljwMnTU0/au8vau8k+8o20j8xWK"
    "zGOrUsnIPGm5gZH5mkTihZXVEiWmZUY5DcyJNc4LbYKWufEMjHSW+T+YSu2qP0vt4TvzL8"
    "Wb6FfM3dxic3FWNmaygQnZpSTA1UtVgnCgvoF09yuVRa5PVCrF1ydUW255IUv4z163M7ey"
    "kLddEkuAf4FN3HWMXObAVTASe2TmTm36+mxq81MdNMvdl3j5zezpP5igBdM="
)
