#!/bin/sh
# jiedao package: before the files are removed (deb prerm, rpm %preun).
# Stops and disables the service on removal, not on upgrade.
# deb: $1 is remove|upgrade|…; rpm: $1 is 0 (remove) or 1+ (upgrade).
set -e
case "$1" in
remove | 0)
	if [ -d /run/systemd/system ]; then
		systemctl stop jiedao.service || true
		systemctl disable jiedao.service || true
	fi
	;;
esac
exit 0
