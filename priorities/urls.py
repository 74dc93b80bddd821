from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "priorities"
urlpatterns = [
    path("", views.index, name="index"),
    path(_("chairmanship/<slug:slug>/"), views.chairmanship_detail, name="chairmanship"),
    path("<slug:slug>/", views.priority_detail, name="detail"),
]
