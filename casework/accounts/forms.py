"""Account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from casework.accounts.models import (
    EMAIL_MAX_LEN,
    NAME_MAX_LEN,
    PASSWORD_MAX_LEN,
    PASSWORD_MIN_LEN,
)
from casework.core.forms import VersionField, choices
from casework.core.i18n import LANGUAGES
from casework.core.i18n import lazy_gettext as _l
from casework.core.vocab import Role

_password_rules = [
    DataRequired(),
    Length(
        min=PASSWORD_MIN_LEN,
        max=PASSWORD_MAX_LEN,
        message=_l(
            "Use between %(min)s and %(max)s characters.",
            min=PASSWORD_MIN_LEN,
            max=PASSWORD_MAX_LEN,
        ),
    ),
]
_CODE_MAX_LEN = 40


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL_MAX_LEN)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX_LEN)]
    )


class LanguageForm(FlaskForm):
    """The interface language, chosen on the login page (kept in a cookie)."""

    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validators=[DataRequired()],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"), validators=[Optional(), Length(max=10)]
    )
    recovery_code = StringField(
        _l("Or a recovery code"), validators=[Optional(), Length(max=_CODE_MAX_LEN)]
    )


class EnrolForm(FlaskForm):
    code = StringField(_l("Code shown by the app"), validators=[DataRequired(), Length(max=10)])


class ReauthForm(FlaskForm):
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX_LEN)]
    )
    code = StringField(
        _l("Code from your authenticator app"), validators=[DataRequired(), Length(max=10)]
    )


class ConfirmForm(FlaskForm):
    """A one-button form: only the CSRF token."""


class SetupForm(FlaskForm):
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=NAME_MAX_LEN)]
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL_MAX_LEN)])
    password = PasswordField(_l("Password"), validators=_password_rules)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", message=_l("The passwords differ."))],
    )


class CreateUserForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX_LEN)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL_MAX_LEN)])
    role = SelectField(_l("Role"), choices=choices(Role), validators=[DataRequired()])


class EditUserForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX_LEN)])
    role = SelectField(_l("Role"), choices=choices(Role), validators=[DataRequired()])
    active = BooleanField(_l("Account active"))
    version = VersionField()


class RedeemResetForm(FlaskForm):
    code = StringField(
        _l("Code from your administrator"), validators=[DataRequired(), Length(max=_CODE_MAX_LEN)]
    )
    new_password = PasswordField(_l("New password"), validators=_password_rules)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The passwords differ."))],
    )


class SecondFactorResetForm(FlaskForm):
    user = SelectField(_l("Account"), validators=[DataRequired()])


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(max=NAME_MAX_LEN)]
    )
    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("The browser's language")),
            *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
        ],
        validators=[Optional()],
    )
    version = VersionField()


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=PASSWORD_MAX_LEN)]
    )
    new_password = PasswordField(_l("New password"), validators=_password_rules)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The passwords differ."))],
    )
