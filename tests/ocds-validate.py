#!/usr/bin/env python3
# ocds-validate.py — validates an OCDS 1.1.5 release or record package
# offline
#
# Usage: ocds-validate.py SCHEMA_DIR PACKAGE.json
#
# SCHEMA_DIR holds release-package-schema.json, record-package-schema.json,
# release-schema.json, versioned-release-validation-schema.json and
# extensions/<name>/release-schema.json. A package with "records" is a
# record package. The package schema's $refs to the release schema and the
# versioned release schema resolve to the local files (no network); every
# extension the package declares is applied to the release schema as a
# JSON Merge Patch (RFC 7386), as the OCDS extension rules say (the
# versioned release schema is the standard's, so the extensions' fields in
# a versioned release are not checked by it). Prints every error
# with its path and exits 1 when there is any, 2 on a usage or setup
# problem, 77 when jsonschema is missing (the test then skips).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import copy
import json
import os
import re
import sys
import warnings

try:
    import jsonschema
except ImportError:
    print("ocds-validate: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)

RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
VERSIONED_URL = "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"


def merge_patch(target, patch):
    """RFC 7386: null removes a member, objects merge, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def extension_dir(schema_dir, url):
    """extensions/<name> for an extension.json URL of
    open-contracting-extensions/ocds_<name>_extension."""
    match = re.search(r"/ocds_([A-Za-z0-9_]+?)_extension/", url)
    if match is None:
        return None
    path = os.path.join(schema_dir, "extensions", match.group(1))
    return path if os.path.isdir(path) else None


def main():
    if len(sys.argv) != 3:
        print("usage: ocds-validate.py SCHEMA_DIR PACKAGE.json", file=sys.stderr)
        return 2
    schema_dir, package_path = sys.argv[1], sys.argv[2]

    try:
        with open(package_path, encoding="utf-8") as f:
            package = json.load(f)
    except ValueError as e:
        print(f"{package_path}: not JSON: {e}")
        return 1
    is_record = isinstance(package, dict) and "records" in package

    package_name = "record-package-schema.json" if is_record else "release-package-schema.json"
    with open(os.path.join(schema_dir, package_name), encoding="utf-8") as f:
        package_schema = json.load(f)
    with open(os.path.join(schema_dir, "release-schema.json"), encoding="utf-8") as f:
        release_schema = json.load(f)
    store = {}
    if is_record:
        with open(os.path.join(schema_dir, "versioned-release-validation-schema.json"), encoding="utf-8") as f:
            versioned_schema = json.load(f)
        store[VERSIONED_URL] = versioned_schema

    extensions = package.get("extensions", []) if isinstance(package, dict) else []
    pending = list(extensions) if isinstance(extensions, list) else []
    applied = set()
    while pending:
        url = pending.pop(0)
        path = extension_dir(schema_dir, url) if isinstance(url, str) else None
        if path is None:
            print(f"extensions: no local copy of {url!r}")
            return 1
        if path in applied:
            continue
        applied.add(path)
        with open(os.path.join(path, "release-schema.json"), encoding="utf-8") as f:
            release_schema = merge_patch(release_schema, json.load(f))
        # an extension's dependencies apply with it (e.g. relatedMilestone
        # uses the metrics extension's MilestoneReference)
        with open(os.path.join(path, "extension.json"), encoding="utf-8") as f:
            pending.extend(json.load(f).get("dependencies", []))

    cls = jsonschema.validators.validator_for(package_schema)
    cls.check_schema(package_schema)
    cls.check_schema(release_schema)
    for schema in store.values():
        cls.check_schema(schema)
    store[RELEASE_URL] = release_schema
    # the package schema's own "#/definitions/…" resolve locally too
    if isinstance(package_schema.get("id"), str):
        store[package_schema["id"]] = package_schema
    with warnings.catch_warnings():
        # RefResolver is deprecated in newer jsonschema but is what Debian
        # 12's 4.10 has; its store maps the release schema URL locally.
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(package_schema, store=store)
        validator = cls(package_schema, resolver=resolver,
                        format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(package), key=lambda e: list(e.absolute_path))

    for error in errors:
        path = "/".join(str(p) for p in error.absolute_path)
        print(f"/{path}: {error.message}")
    if errors:
        print(f"{len(errors)} error(s)")
        return 1
    if is_record:
        records = package.get("records", [])
        n = sum(len(record.get("releases", [])) for record in records)
        print(f"valid: {len(records)} record(s), {n} release(s), extensions: {len(extensions)}")
        return 0
    releases = package.get("releases", [])
    print(f"valid: {len(releases)} release(s), extensions: {len(extensions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
