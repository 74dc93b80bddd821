from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "civil_service"
urlpatterns = [
    path("", views.work_plan, name="work_plan"),
    path(_("activities.csv"), views.export_csv, name="export_csv"),
    path(_("plans/<slug:slug>/"), views.work_plan_detail, name="work_plan_detail"),
    path(_("activities/<slug:slug>/"), views.activity_detail, name="activity"),
    path(_("documents/"), views.document_list, name="documents"),
    path(_("documents/<slug:slug>/"), views.document_detail, name="document"),
]
