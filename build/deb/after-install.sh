#!/bin/bash
# deb postinst (electron-builder afterInstall; ${...} are filled in by it).
# electron-builder's default script, with one change: /usr/bin gets the
# graphns, lsuserns, lspidns and lsnetns commands (resources/bin wrappers) instead of
# a link to the Electron binary. See docs/PACKAGING.md.

app='/opt/${sanitizedProductName}'
for cmd in graphns lsuserns lspidns lsnetns; do
    ln -sf "$app/resources/bin/$cmd" "/usr/bin/$cmd"
done

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 "$app/chrome-sandbox" || true
else
    chmod 0755 "$app/chrome-sandbox" || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# AppArmor profile (Ubuntu 24+, where unprivileged user namespaces need one),
# installed only where this AppArmor understands it.
if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE="$app/resources/apparmor-profile"
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi
