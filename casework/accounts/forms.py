"""Account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from casework.accounts.models import (
    EMAIL_MAX_LEN,
    NAME_MAX_LEN,
    PASSWORD_MAX_LEN,
    PASSWORD_MIN_LEN,
)
from casework.core.forms import VersionField, choices
from casework.core.vocab import Role

_password_rules = [
    DataRequired(),
    Length(
        min=PASSWORD_MIN_LEN,
        max=PASSWORD_MAX_LEN,
        message=f"Use between {PASSWORD_MIN_LEN} and {PASSWORD_MAX_LEN} characters.",
    ),
]
_CODE_MAX_LEN = 40


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=EMAIL_MAX_LEN)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LEN)])


class CodeForm(FlaskForm):
    code = StringField("Code from your authenticator app", validators=[Optional(), Length(max=10)])
    recovery_code = StringField(
        "Or a recovery code", validators=[Optional(), Length(max=_CODE_MAX_LEN)]
    )


class EnrolForm(FlaskForm):
    code = StringField("Code shown by the app", validators=[DataRequired(), Length(max=10)])


class ReauthForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LEN)])
    code = StringField(
        "Code from your authenticator app", validators=[DataRequired(), Length(max=10)]
    )


class ConfirmForm(FlaskForm):
    """A one-button form: only the CSRF token."""


class SetupForm(FlaskForm):
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=NAME_MAX_LEN)])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=EMAIL_MAX_LEN)])
    password = PasswordField("Password", validators=_password_rules)
    confirm = PasswordField(
        "Repeat the password", validators=[EqualTo("password", message="The passwords differ.")]
    )


class CreateUserForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX_LEN)])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=EMAIL_MAX_LEN)])
    role = SelectField("Role", choices=choices(Role), validators=[DataRequired()])


class EditUserForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX_LEN)])
    role = SelectField("Role", choices=choices(Role), validators=[DataRequired()])
    active = BooleanField("Account active")
    version = VersionField()


class RedeemResetForm(FlaskForm):
    code = StringField(
        "Code from your administrator", validators=[DataRequired(), Length(max=_CODE_MAX_LEN)]
    )
    new_password = PasswordField("New password", validators=_password_rules)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[EqualTo("new_password", message="The passwords differ.")],
    )


class SecondFactorResetForm(FlaskForm):
    user = SelectField("Account", validators=[DataRequired()])


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=NAME_MAX_LEN)]
    )
    version = VersionField()


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LEN)]
    )
    new_password = PasswordField("New password", validators=_password_rules)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[EqualTo("new_password", message="The passwords differ.")],
    )
