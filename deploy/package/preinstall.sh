#!/bin/sh
# jiedao package: before the files are unpacked (deb preinst, rpm %pre).
# Creates the jiedao system user; on an upgrade, backs up the database
# with the binary still installed, before the new one can migrate it.
# deb: $1 is install|upgrade OLD-VERSION; rpm: $1 is 1 (install) or 2+ (upgrade).
set -e

if ! getent group jiedao >/dev/null 2>&1; then
	groupadd --system jiedao
fi
if ! getent passwd jiedao >/dev/null 2>&1; then
	useradd --system --gid jiedao --home-dir /var/lib/jiedao --no-create-home \
		--shell /usr/sbin/nologin --comment "jiedao service" jiedao
fi

upgrading=false
case "$1" in
upgrade) upgrading=true ;;
[2-9] | [1-9][0-9]*) upgrading=true ;;
esac

if [ "$upgrading" = true ] && [ -x /usr/bin/jiedao ] && [ -f /etc/jiedao/jiedao.env ]; then
	# The configuration says where the database is (JIEDAO_DB or JIEDAO_DB_FILE).
	set -a
	. /etc/jiedao/jiedao.env
	set +a
	db="${JIEDAO_DB:-}"
	if [ -n "$db" ] && [ "${db#postgres}" = "$db" ] && [ ! -e "$db" ]; then
		echo "jiedao: 数据库 $db 尚不存在，无需备份 / no database at $db yet: nothing to back up"
		exit 0
	fi
	mkdir -p /var/lib/jiedao/backups
	chown jiedao:jiedao /var/lib/jiedao /var/lib/jiedao/backups
	chmod 0750 /var/lib/jiedao /var/lib/jiedao/backups
	out="/var/lib/jiedao/backups/pre-upgrade-$(date -u +%Y%m%dT%H%M%SZ).db"
	echo "jiedao: 升级前备份数据库 / backing up the database before the upgrade: $out"
	if ! runuser -u jiedao -- /usr/bin/jiedao backup --out "$out"; then
		echo "jiedao: 备份失败，升级中止 / the backup failed: upgrade stopped, nothing changed" >&2
		exit 1
	fi
fi
exit 0
