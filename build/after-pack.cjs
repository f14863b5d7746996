// electron-builder afterPack hook (electron-builder.yml). Built against a
// local Electron distribution (electronDist), electron-builder keeps that
// distribution's resources/default_app.asar (Electron's demo app) and its
// `version` file; it removes them only from one it downloaded. Remove them
// here, so an offline build holds what a release build does.
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads hooks with require */
'use strict';
const { rm } = require('node:fs/promises');
const { join } = require('node:path');

exports.default = async function afterPack(context) {
  await rm(join(context.appOutDir, 'resources', 'default_app.asar'), { force: true });
  await rm(join(context.appOutDir, 'version'), { force: true });
};
