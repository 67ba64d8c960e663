from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired

from app.forms import Length


class SignInForm(FlaskForm):
    """Email and password: the first step of signing in."""

    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"), Length(max=1024)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    """The 6-digit code from an authenticator app: the second step."""

    code = StringField(
        "Security code",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the 6-digit security code from your authenticator app"),
            Length(max=20),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
