#!/bin/sh
# jiedao package: after the files are unpacked (deb postinst, rpm %post).
# Sets the owners of the state and configuration, migrates the database on
# an upgrade (preinstall backed it up), and (re)starts the service when
# systemd runs.
# deb: $1 is configure [OLD-VERSION]; rpm: $1 is 1 (install) or 2+ (upgrade).
set -e

case "$1" in
configure | [0-9]*) ;;
*) exit 0 ;; # abort-upgrade and the like: nothing to do
esac

upgrading=false
if [ "$1" = configure ] && [ -n "$2" ]; then upgrading=true; fi
case "$1" in [2-9] | [1-9][0-9]*) upgrading=true ;; esac

mkdir -p /var/lib/jiedao/backups
chown jiedao:jiedao /var/lib/jiedao /var/lib/jiedao/backups
chmod 0750 /var/lib/jiedao /var/lib/jiedao/backups
chown root:jiedao /etc/jiedao /etc/jiedao/secrets /etc/jiedao/jiedao.env
chmod 0750 /etc/jiedao /etc/jiedao/secrets
chmod 0640 /etc/jiedao/jiedao.env

if [ "$upgrading" = true ]; then
	set -a
	. /etc/jiedao/jiedao.env
	set +a
	db="${JIEDAO_DB:-}"
	if [ -z "$db" ] || [ "${db#postgres}" != "$db" ] || [ -e "$db" ]; then
		echo "jiedao: 迁移数据库 / migrating the database"
		if ! runuser -u jiedao -- /usr/bin/jiedao migrate; then
			echo "jiedao: 迁移失败；升级前的备份在 /var/lib/jiedao/backups/ / the migration failed; the pre-upgrade backup is in /var/lib/jiedao/backups/" >&2
			exit 1
		fi
	fi
fi

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
	if [ "$upgrading" = true ]; then
		systemctl try-restart jiedao.service || true
	else
		systemctl enable jiedao.service || true
		systemctl start jiedao.service || true
	fi
fi
exit 0
