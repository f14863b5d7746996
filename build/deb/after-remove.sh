#!/bin/bash
# deb postrm (electron-builder afterRemove; ${...} are filled in by it):
# remove the /usr/bin links that after-install.sh made (only ours), and the
# AppArmor profile, as electron-builder's default script does.

app='/opt/${sanitizedProductName}'
for cmd in graphns lsuserns lspidns lsnetns; do
    if [ -L "/usr/bin/$cmd" ] && [ "$(readlink "/usr/bin/$cmd")" = "$app/resources/bin/$cmd" ]; then
        rm -f "/usr/bin/$cmd"
    fi
done

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi
