from django.urls import path

from contento.surveys.views import builder, dashboard, interview, public, responses, themes

app_name = "surveys"
urlpatterns = [
    path("", builder.survey_list, name="list"),
    path("new/", builder.survey_new, name="new"),
    path("templates/", builder.template_gallery, name="gallery"),
    path("import/", builder.survey_import, name="import"),
    path("<uuid:code>/", dashboard.dashboard, name="dashboard"),
    path("interview/", interview.interview_start, name="interview_start"),
    path("themes/", themes.theme_list, name="themes"),
    path("themes/new/", themes.theme_edit, name="theme_new"),
    path("themes/starter/", themes.theme_starter, name="theme_starter"),
    path("themes/<uuid:code>/", themes.theme_edit, name="theme"),
    path("themes/<uuid:code>/action/", themes.theme_action, name="theme_action"),
    path("themes/discovered/<uuid:code>/", themes.theme_accept, name="theme_accept"),
    path("<uuid:code>/qr.<str:kind>", builder.survey_qr, name="qr"),
    path("<uuid:code>/interview/<uuid:customer>/", interview.interview, name="interview"),
    path("<uuid:code>/themes/refresh/", dashboard.refresh_themes, name="refresh_themes"),
    path("<uuid:code>/export.csv", dashboard.export_csv, name="export_csv"),
    path("<uuid:code>/export.xlsx", dashboard.export_xlsx, name="export_xlsx"),
    path("<uuid:code>/responses/", responses.response_list, name="responses"),
    path(
        "<uuid:code>/responses/<uuid:response_code>/",
        responses.response_detail,
        name="response",
    ),
    path(
        "<uuid:code>/responses/<uuid:response_code>/delete/",
        responses.response_delete,
        name="response_delete",
    ),
    path("<uuid:code>/preview/", public.preview, name="preview"),
    path("<uuid:code>/copy/", builder.copy_survey, name="copy"),
    path("<uuid:code>/delete/", builder.delete_survey, name="delete"),
    path("<uuid:code>/tests/delete/", builder.delete_tests, name="delete_tests"),
    path("<uuid:code>/build/", builder.survey_build, name="build"),
    path("<uuid:code>/status/", builder.set_status, name="status"),
    path("<uuid:code>/questions/new/", builder.question_edit, name="question_new"),
    path("<uuid:code>/questions/<slug:key>/", builder.question_edit, name="question_edit"),
    path(
        "<uuid:code>/questions/<slug:key>/action/", builder.question_action, name="question_action"
    ),
    path("<uuid:code>/translate/<str:lang>/", builder.translate, name="translate"),
    path("<uuid:code>/definition.json", builder.definition_json, name="definition_json"),
    path("<uuid:code>/definition/", builder.definition_edit, name="definition"),
    path("<uuid:code>/invite/", builder.invite, name="invite"),
]
