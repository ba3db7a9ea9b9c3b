from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Each image's processing options. Existing rows get NULL: converted with the defaults (WebP Q80,
# full size), which is what they were converted with.


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "images" ADD "options" JSONB;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "images" DROP COLUMN "options";"""


MODELS_STATE = (
    "eJztm21T2zgQgP+Kxp/oDGVCCIFyNzcTINBcIWlJuOu0dIywlESDLaWyDOQ4/vtJsh2/pz"
    "GQXpLmS4lXu5L8rCytVuqjQRw4wO5WS/0xDsCjQaGjfiQLNoEBR6NIrAQC3tg4KYI3ruDQ"
    "ElLah7aLpQhh1+JkJAijUko921ZCZklFQgeRyKPku4dNwQZYDDGXBV+/STGhCD/IyuXjo9"
    "En2Eb6t+G5mJsEqUa9kc0gwsiEwlAm+GHEsevKBt2wluCdgqbEeKT7bWhl2WH98LQJEi24"
    "AgrP9RtAULy8fqU4ujV1E0nS+jW03AxtLy9bxydaU+G6MS1mew6NtEdjMWR0ou55BG0pG1"
    "U2wBRz1eOYG1TXAn+FIp+4FAju4QlqFAkQ7kPPVs40fu971FI+BLol9U/tj6BrMTXTbHd6"
    "ZrfZM02jhO8tiVJiIlQooo9Pfr0REC01VANH7xsXGzv1NxoBc8WA60KNy3jShlBAM3JjRD"
    "k2YmZFHTN5Td6hIAIefSwhyhDWguGNcDJOBoRC29SCDNSjIeT5UDOGKbSyq0sI1XDgg2lj"
    "OhBD+Vjd3Z1C+a/GhQYttTRpJqdMfyZtB0VVvyxJXLYoMBU+qBLA03YryLtemwF3vVZIWx"
    "UVDO9bPH7W6A7sVhD2XAZ3tNpmSTep52jaLdkrSC2coR5Z/zzehlT1MCq5CBqfLpuXzeMD"
    "4Ftf0Y8XnaNmt9tqnx6AEWeWiizo4Ioed9rNA4AYxVf0pNE6UzZ9SOygxZI+267P4LLteq"
    "HHVFHSYfcEyZoz/mpRkf9hTPRTHpL9XcYvQgfLb6vbtb3a/k69ti9VdEcnkr0pwFvtXorm"
    "EJPBUJTAGRmseebwdMk/2LwZC5wzpRySQSHWpN0qoX1Xre7s7FUrO/X93dre3u5+ZcI4Wz"
    "QN9mHrVPFOTBRZB2DOGc+y78n9UD75icGzZvBgx7IozKfg6zU/a3iO636345Psxnnjs55/"
    "nXFQctZpn4bqsUn56KxzmKId0FG9nH0KSRr9vLFeWZI5JJ5XyFA9llAEcXDBxjFpmmKLAt"
    "ut8McyziocQ9Sh9jj4+KaN+NZ5s9trnH9MDPvjRq+pSqqJIR9KN9KhyKQS8Her9x6oR/BF"
    "hkjpnepEr/dFZXQM6AlmUnZvQhTLbITSkFrK75N0T2m3xy3XXl8Ur4eMYm4Peh95PYi9n+"
    "X3tO0reH6JFrTFdnT2+2b67XMCwz+7nXbBrj4ySfuWWAL8C2zizrJeLo9XFYvpYUo6Ikl5"
    "SlWgwhSV9e7fxjKySnADrdt7yJGZKIm5yBMjT+TF7oHhyYcLbBfGLrGTi46uaQmn2qdwDI"
    "bScNJS/FiVFRHNFjlVJy2BVKJBQduqpRxkRWdBEdEfnAiZMS/+8GDI6FAMOJasOUbAtwSs"
    "DyAFujKwIRiCY8Dk4gOu1ffoyK0aun6zCVzBlA2hoLsDoADXt3h8vZXOksylgZxDq6/+y6"
    "tSTe9b6hSr1CnQtK1q7rlETtgezDkvOwBakf1p8elQ2VOMFT68eP1keskc+jp1vj4XWtSh"
    "vE57r9Pei8tznfb+n9PeFsfPzB0lLde5o0VJKcySMfS3OyWvccVs1peL8hIFKb5ZuCdyW0"
    "YG9AMeZ24HTMkILC/UTC5Aijm8n+wlE2NKvj3CNhZ+ENjoHjWOm/4dxPzkyzzTCpf6OOQC"
    "u5jfweDlM8mFrNLmtBSDf8Ri8kh/xkTDJ48JCDhjDhjK3oObscoB+NWpPX7fViHGJvCoID"
    "Ygwg3yA5zdA4tJqQvkXh/o1VLqu0JOa9lsw1xauaJXtKFVmCdscqeKpGJQq85c3A8x1ZZB"
    "ThogghFwCHrra/0mLVRCY+T6zcjuAiiu6DV+GBEJU64/hamNGe/jRjWtr8uur8v+wivaOj"
    "JfoMg8NiuVjMyTlisYmS9JJF54uFfiiGmeUU4Dc2IN80KboGRqPAMjnXn+J5pSq+qvcvbw"
    "wvxL8SJ6h7mbeymrOCsbM1nBhOxcEuDqoypBOFBfQbrblcos17wrleJ73qos93ghS7j4uk"
    "TM5EXXJRaN9oLdl3j9xezpP+jIick="
)
