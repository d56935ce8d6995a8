"""Settings for Lakay Intelligence, one topic module per concern.

Production differs from development only through environment variables (see ``docs/configuration.md``).
"""

from lakay.settings.celery import *  # noqa: F403
from lakay.settings.channels import *  # noqa: F403
from lakay.settings.core import *  # noqa: F403
from lakay.settings.database import *  # noqa: F403
from lakay.settings.drf import *  # noqa: F403
from lakay.settings.kafka import *  # noqa: F403
from lakay.settings.logging import *  # noqa: F403
from lakay.settings.mlflow import *  # noqa: F403
from lakay.settings.security import *  # noqa: F403
from lakay.settings.storage import *  # noqa: F403
