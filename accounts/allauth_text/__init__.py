"""The sentences of allauth's pages, forms and e-mails that Tandem shows, carried in
Tandem's own catalogue (locale/).

Catalogues in LOCALE_PATHS take precedence over an app's, so these translations replace
allauth's: allauth ships no Vietnamese or Malay, and its German addresses the reader as
"du" where Tandem says "Sie". `password_rules` does the same for Django's password
rules, which Django ships untranslated in Thai. The modules only mark the msgids (exactly
allauth's and Django's) for makemessages and are never imported; tests/test_catalogues.py
keeps them translated. Refresh them from allauth's locale/en/LC_MESSAGES/django.po and
django/contrib/auth/password_validation.py when either is upgraded.
"""
