#!/bin/sh
# Back up Ducha: a dump of the database and a copy of the attachments, in BACKUP_DIR.
#
# Run nightly by ducha-backup.timer as the ducha user, with /etc/ducha/ducha.env loaded.
# The dump (pg_dump's custom format, for pg_restore) is kept KEEP_DAYS days; the files are
# copied into BACKUP_DIR/attachments, adding new ones and keeping the ones removed since.
# Copy BACKUP_DIR off this machine too: a backup on the same disk dies with it.
set -eu

: "${DATABASE_URL:?DATABASE_URL is not set (load /etc/ducha/ducha.env)}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/ducha}
KEEP_DAYS=${KEEP_DAYS:-30}
ATTACHMENT_DIR=${ATTACHMENT_DIR:-$(pwd)/instance/attachments}

# SQLAlchemy's driver name means nothing to pg_dump.
url=$(printf '%s' "$DATABASE_URL" | sed 's|^postgresql+psycopg://|postgresql://|; s|^postgres://|postgresql://|')
stamp=$(date +%Y%m%d-%H%M%S)
dump="$BACKUP_DIR/ducha-$stamp.dump"

umask 077
mkdir -p "$BACKUP_DIR/attachments"
pg_dump --format=custom --file="$dump.part" "$url"
mv "$dump.part" "$dump"
# After the dump: every file the dump knows of is already on disk.
if [ -d "$ATTACHMENT_DIR" ]; then
    cp -R -p -u "$ATTACHMENT_DIR/." "$BACKUP_DIR/attachments/"
fi
find "$BACKUP_DIR" -maxdepth 1 -name 'ducha-*.dump' -mtime "+$KEEP_DAYS" -delete
echo "backup: $dump ($(du -h "$dump" | cut -f1)), attachments in $BACKUP_DIR/attachments"
