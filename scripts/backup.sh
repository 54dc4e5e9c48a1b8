#!/usr/bin/env bash
# Backs up one Baton (SQLite or PostgreSQL) into two folders: the data and, kept apart, its keys.
#
#   scripts/backup.sh <backup-dir> <keys-dir>
#
# Reads the same settings as Baton: BATON_DATA_DIR (default ./.baton), BATON_DATABASE_URL (postgres://… selects
# PostgreSQL), BATON_SECRET_KEY and BATON_AGE_KEY (when unset, the key files of the data folder are copied).
#
# <backup-dir> (created, must not exist) receives
#   database.sqlite   SQLite: an online, consistent copy (`sqlite3 .backup`; Baton may keep running)
#   database.pgdump   PostgreSQL: `pg_dump --format=custom` of Baton's schema and its terraform state schema
#   data.tar          the data folder without the database and the keys (the embedded gitops repository, terraform
#                     state files, directory-target manifests)
#   manifest.txt      dialect, schema, date
# <keys-dir> (created 0700, must not exist) receives secret.key and age.agekey (0600). Store it apart from the
# backup: the database is useless without the secret key, and the two together open every secret (docs/operations.md).
set -euo pipefail
umask 077

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <backup-dir> <keys-dir>" >&2
  exit 2
fi
out=$1
keys=$2
data_dir=${BATON_DATA_DIR:-./.baton}
url=${BATON_DATABASE_URL:-}

for dir in "$out" "$keys"; do
  if [ -e "$dir" ]; then
    echo "$dir exists: give a new folder" >&2
    exit 2
  fi
done
if [ ! -d "$data_dir" ]; then
  echo "data folder $data_dir not found (set BATON_DATA_DIR)" >&2
  exit 2
fi

# libpq reads a space in `options=-c search_path=…` as %20 only, never `+` (as URLSearchParams writes it).
libpq_url() {
  case "$1" in
    *\?*) printf '%s?%s' "${1%%\?*}" "$(printf '%s' "${1#*\?}" | sed 's/+/%20/g')" ;;
    *) printf '%s' "$1" ;;
  esac
}

mkdir -p "$out" "$keys"
chmod 700 "$keys"

case "$url" in
  postgres://* | postgresql://*)
    dialect=postgres
    pg=$(libpq_url "$url")
    schema=$(psql "$pg" -Atqc 'select current_schema()')
    if [ -z "$schema" ]; then
      echo "no current schema for BATON_DATABASE_URL (does the schema exist?)" >&2
      exit 1
    fi
    # Terraform's pg backend keeps state in "<schema>_terraform" ("baton_terraform" for public) when it was used.
    tf_schema="${schema}_terraform"
    [ "$schema" = public ] && tf_schema=baton_terraform
    schemas=(--schema="$schema")
    if [ "$(psql "$pg" -Atqc "select count(*) from pg_namespace where nspname = '$tf_schema'")" = 1 ]; then
      schemas+=(--schema="$tf_schema")
    fi
    pg_dump "$pg" --format=custom --no-owner --no-privileges "${schemas[@]}" --file="$out/database.pgdump"
    ;;
  '')
    dialect=sqlite
    schema=
    if [ ! -f "$data_dir/baton.db" ]; then
      echo "$data_dir/baton.db not found" >&2
      exit 1
    fi
    sqlite3 "$data_dir/baton.db" ".backup '$out/database.sqlite'"
    ;;
  *)
    echo "BATON_DATABASE_URL must start with postgres:// or postgresql://" >&2
    exit 2
    ;;
esac

tar -C "$data_dir" -cf "$out/data.tar" \
  --exclude=./baton.db --exclude=./baton.db-wal --exclude=./baton.db-shm --exclude=./baton.db-journal \
  --exclude=./secret.key --exclude=./age.agekey --exclude=./admin-token .

if [ -n "${BATON_SECRET_KEY:-}" ]; then
  printf '%s\n' "$BATON_SECRET_KEY" >"$keys/secret.key"
elif [ -f "$data_dir/secret.key" ]; then
  cp "$data_dir/secret.key" "$keys/secret.key"
else
  echo "no secret key: set BATON_SECRET_KEY or keep $data_dir/secret.key" >&2
  exit 1
fi
if [ -n "${BATON_AGE_KEY:-}" ]; then
  printf '%s\n' "$BATON_AGE_KEY" >"$keys/age.agekey"
elif [ -f "$data_dir/age.agekey" ]; then
  cp "$data_dir/age.agekey" "$keys/age.agekey"
else
  echo "warning: no age key (BATON_AGE_KEY or $data_dir/age.agekey): Secrets in the gitops repository cannot be decrypted without it" >&2
fi
chmod 600 "$keys"/*

printf 'dialect=%s\nschema=%s\ncreated=%s\n' "$dialect" "$schema" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$out/manifest.txt"
echo "backup of Baton ($dialect) written to $out; keys to $keys (store them apart)"
