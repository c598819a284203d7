from allauth.core import ratelimit
from django import forms
from django.utils.translation import gettext_lazy as _

# The word the person types to confirm, in their language.
CONFIRM_WORD = _("DELETE")
WRONG_PASSWORD = _("The password is wrong.")
WRONG_WORD = _("Type the word %(word)s, in capitals, to confirm.")
TOO_MANY = _("Too many attempts. Wait a minute, then try again.")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.CharField(
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        # Here, not on the class: the label is in the language of this request.
        self.fields["confirm"].label = _("Type %(word)s to confirm") % {"word": CONFIRM_WORD}

    def clean_confirm(self) -> str:
        word = self.cleaned_data["confirm"].strip()
        if word != str(CONFIRM_WORD):
            raise forms.ValidationError(WRONG_WORD % {"word": CONFIRM_WORD}, code="confirm")
        return word

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        # The same limit as allauth's re-authentication: no password guessing from a
        # session someone left open.
        if not ratelimit.consume(self.request, action="reauthenticate", user=user):
            raise forms.ValidationError(TOO_MANY, code="rate_limited")
        if not user.check_password(password):
            raise forms.ValidationError(WRONG_PASSWORD, code="password")
        return password
