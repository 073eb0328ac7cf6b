from django.urls import path

from banking import views

urlpatterns = [
    path("api/bank-links/", views.create_bank_link),
    path("api/bank-links/<str:link_id>/refresh/", views.refresh_link),
    path("hooks/belvo/", views.belvo_webhook),
]
