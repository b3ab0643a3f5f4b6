"""Flask extensions, created unbound here and bound in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from elearn.models.base import Base
from elearn.replica import RoutingSession

# The session sends the plain reads of dashboards, exports and API pulls to the replica.
db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
