#!/usr/bin/env bash
# Restores a backup of scripts/backup.sh into a stopped (or not yet started) Baton.
#
#   scripts/restore.sh <backup-dir> <keys-dir>
#
# Reads BATON_DATA_DIR (default ./.baton) and BATON_DATABASE_URL like Baton. The data folder must be empty or
# absent; on PostgreSQL the schema of BATON_DATABASE_URL (its search_path, else public) must hold no Baton tables
# (create it empty, or drop it first). The backup's dialect must match: SQLite → PostgreSQL is a migration, not a
# restore (docs/operations.md). The keys go into the data folder as secret.key and age.agekey (0600); if you give
# Baton its keys through BATON_SECRET_KEY / BATON_AGE_KEY instead, set those to the files' contents and delete them.
set -euo pipefail
umask 077

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <backup-dir> <keys-dir>" >&2
  exit 2
fi
in=$1
keys=$2
data_dir=${BATON_DATA_DIR:-./.baton}
url=${BATON_DATABASE_URL:-}

[ -f "$in/manifest.txt" ] || { echo "$in is not a Baton backup (no manifest.txt)" >&2; exit 2; }
[ -f "$keys/secret.key" ] || { echo "$keys/secret.key not found: without the secret key the secrets cannot be opened" >&2; exit 2; }
dialect=$(sed -n 's/^dialect=//p' "$in/manifest.txt")
schema=$(sed -n 's/^schema=//p' "$in/manifest.txt")
if [ -d "$data_dir" ] && [ -n "$(ls -A "$data_dir")" ]; then
  echo "data folder $data_dir is not empty" >&2
  exit 2
fi

libpq_url() {
  case "$1" in
    *\?*) printf '%s?%s' "${1%%\?*}" "$(printf '%s' "${1#*\?}" | sed 's/+/%20/g')" ;;
    *) printf '%s' "$1" ;;
  esac
}

case "$dialect" in
  sqlite)
    [ -z "$url" ] || { echo "the backup is of a SQLite Baton; unset BATON_DATABASE_URL" >&2; exit 2; }
    mkdir -p "$data_dir"
    chmod 700 "$data_dir"
    cp "$in/database.sqlite" "$data_dir/baton.db"
    ;;
  postgres)
    case "$url" in postgres://* | postgresql://*) ;; *) echo "the backup is of a PostgreSQL Baton; set BATON_DATABASE_URL" >&2; exit 2 ;; esac
    pg=$(libpq_url "$url")
    target=$(psql "$pg" -Atqc 'select current_schema()')
    if [ "$target" != "$schema" ]; then
      echo "BATON_DATABASE_URL's schema is \"${target:-none}\", the backup's \"$schema\": restore into the same schema name" >&2
      exit 2
    fi
    if [ "$(psql "$pg" -Atqc "select count(*) from information_schema.tables where table_schema = '$schema'")" != 0 ]; then
      echo "schema \"$schema\" already holds tables: drop it (or restore into an empty database)" >&2
      exit 2
    fi
    # The schemas the dump creates may exist already (empty): leave their CREATE SCHEMA out of the restore.
    list=$(mktemp)
    trap 'rm -f "$list"' EXIT
    pg_restore --list "$in/database.pgdump" >"$list.all"
    cp "$list.all" "$list"
    for existing in $(psql "$pg" -Atqc 'select nspname from pg_namespace'); do
      grep -v -E "^[0-9]+; [0-9]+ [0-9]+ SCHEMA - ${existing} " "$list" >"$list.tmp" || true
      mv "$list.tmp" "$list"
    done
    rm -f "$list.all"
    pg_restore --no-owner --no-privileges --exit-on-error --use-list="$list" --dbname="$pg" "$in/database.pgdump"
    mkdir -p "$data_dir"
    chmod 700 "$data_dir"
    ;;
  *)
    echo "unknown dialect \"$dialect\" in $in/manifest.txt" >&2
    exit 2
    ;;
esac

tar -C "$data_dir" -xf "$in/data.tar"
cp "$keys/secret.key" "$data_dir/secret.key"
[ -f "$keys/age.agekey" ] && cp "$keys/age.agekey" "$data_dir/age.agekey"
chmod 600 "$data_dir/secret.key" "$data_dir"/age.agekey 2>/dev/null || true
echo "restored Baton ($dialect) into $data_dir${url:+ and its database}; start it and check /readyz"
