from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("model/", views.conversion_model, name="model"),
    path("model/train/", views.train_conversion_model, name="train"),
]
