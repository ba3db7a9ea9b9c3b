"""Backup and restore of what a person would lose with a disk: both databases and the bucket.

`python -m tools.backup backup` dumps svc_images' then svc_auth's database (`pg_dump`, custom format),
then copies the bucket's objects it does not have yet; `restore` puts the newest complete set back.
See README, "Operating: backup and restore".
"""
