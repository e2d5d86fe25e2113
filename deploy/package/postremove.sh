#!/bin/sh
# jiedao package: after the files are removed (deb postrm, rpm %postun).
# The database in /var/lib/jiedao and the jiedao user are kept even on
# purge: a subdistrict's records are not deleted by a package manager.
# deb: $1 is remove|purge|upgrade|…; rpm: $1 is 0 (remove) or 1+ (upgrade).
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
case "$1" in
purge)
	rm -rf /etc/jiedao
	echo "jiedao: 数据保留在 /var/lib/jiedao（含备份），用户 jiedao 保留 / the data stays in /var/lib/jiedao (with its backups), and so does the user jiedao"
	;;
esac
exit 0
