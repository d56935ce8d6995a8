"""Who may call the behaviour endpoints."""

from lakay.security.permissions import HasRole
from lakay.security.roles import Role

SERVICE = HasRole.of(Role.SERVICE)  # scoring and assessment, called by the Trebanx platform
READERS = HasRole.of(Role.ANALYST, Role.ADMIN)  # profiles, engagement, alerts; alert status changes
