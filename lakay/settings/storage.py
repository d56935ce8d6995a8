"""File storage: static files, the data lake (local folder by default, S3/MinIO when DATALAKE_ENDPOINT is set)."""

from __future__ import annotations

from lakay.env import BASE_DIR, env

DATALAKE_ENDPOINT: str = env.str("DATALAKE_ENDPOINT", default="")
DATALAKE_BUCKET: str = env.str("DATALAKE_BUCKET", default="lakay-data-lake")
DATALAKE_ACCESS_KEY: str = env.str("DATALAKE_ACCESS_KEY", default="")
DATALAKE_SECRET_KEY: str = env.str("DATALAKE_SECRET_KEY", default="")
DATALAKE_REGION: str = env.str("DATALAKE_REGION", default="us-east-1")
DATALAKE_LOCAL_PATH = env.path("DATALAKE_LOCAL_PATH", default=str(BASE_DIR / "var" / "lake"))

if DATALAKE_ENDPOINT:
    _lake = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DATALAKE_BUCKET,
            "endpoint_url": DATALAKE_ENDPOINT,
            "access_key": DATALAKE_ACCESS_KEY,
            "secret_key": DATALAKE_SECRET_KEY,
            "region_name": DATALAKE_REGION,
            "addressing_style": "path",
            "file_overwrite": True,
        },
    }
else:
    _lake = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATALAKE_LOCAL_PATH)},
    }

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))},
    },
    "lake": _lake,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
