FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# var/media exists (owned by crm) before docker-compose.yml mounts the shared media volume there.
RUN useradd --create-home crm && mkdir -p /app/var/media && chown -R crm /app/var
USER crm
EXPOSE 8000
