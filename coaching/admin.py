"""Admin for coaching; each feature registers its models in its own admin module."""

from coaching.feedback import admin as feedback_admin  # noqa: F401
from coaching.improvement import admin as improvement_admin  # noqa: F401
from coaching.recognition import admin as recognition_admin  # noqa: F401
from coaching.sessions import admin as sessions_admin  # noqa: F401
from coaching.training import admin as training_admin  # noqa: F401
