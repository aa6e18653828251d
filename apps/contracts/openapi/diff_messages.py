"""English message templates of the oasdiff change ids this engine emits.

The wording follows oasdiff's ``checker/localizations_src/en/messages.yaml`` (Apache-2.0); every ``%s`` is an
argument, rendered in backticks as oasdiff does.
"""

from __future__ import annotations

from .diff_messages_family import FAMILY_MESSAGES
from .diff_model import q

MESSAGES: dict[str, str] = {
    # paths, operations, lifecycle
    "endpoint-added": "endpoint added",
    "endpoint-deprecated": "endpoint deprecated",
    "endpoint-deprecated-with-sunset": "endpoint deprecated with sunset date %s",
    "endpoint-reactivated": "endpoint reactivated",
    "api-path-removed-without-deprecation": "api path removed without deprecation",
    "api-path-removed-with-deprecation": "api path removed with deprecation",
    "api-path-removed-before-sunset": "api path removed before the sunset date %s",
    "api-path-sunset-parse": "failed to parse sunset date: %s",
    "api-removed-without-deprecation": "api removed without deprecation",
    "api-removed-with-deprecation": "api removed with deprecation",
    "api-removed-before-sunset": "api removed before the sunset date %s",
    "api-deprecated-sunset-parse": "failed to parse sunset date: %s",
    "api-sunset-date-too-small": "sunset date %s is too small, must be at least %s days from now",
    "sunset-deleted": "api sunset date deleted, but deprecated=true kept",
    "api-sunset-date-changed-too-small": "api sunset date changed to an earlier date, from %s to %s, new sunset date "
    "must be not earlier than %s and at least %s days from now",
    "api-operation-id-removed": "api operation id %s removed and replaced with %s",
    "api-operation-id-added": "api operation id %s was added",
    "api-tag-removed": "api tag %s removed",
    "api-tag-added": "api tag %s added",
    "api-stability-decreased": "endpoint stability level decreased from %s to %s",
    "api-stability-increased": "endpoint stability level increased from %s to %s",
    "api-invalid-stability-level": "failed to parse stability level: %s",
    "api-schema-removed": "removed the schema %s",
    "webhook-added": "webhook %s added",
    "webhook-removed": "webhook %s removed",
    "api-version-not-bumped": "a breaking change was detected but the version is still %s",
    "api-version-decreased": "a breaking change was detected but the version decreased from %s to %s",
    "api-major-version-not-bumped": "a breaking change was detected but the major version did not increase, "
    "from %s to %s",
    # security
    "api-security-added": "the endpoint scheme security %s was added to the API",
    "api-security-removed": "the endpoint scheme security %s was removed from the API",
    "api-security-scope-added": "the security scope %s was added to the endpoint's security scheme %s",
    "api-security-scope-removed": "the security scope %s was removed from the endpoint's security scheme %s",
    "api-global-security-added": "the security scheme %s was added to the API",
    "api-global-security-removed": "the security scheme %s was removed from the API",
    "api-global-security-scope-added": "the security scope %s was added to the global security scheme %s",
    "api-global-security-scope-removed": "the security scope %s was removed from the global security scheme %s",
    "api-security-component-added": "the component security scheme %s was added",
    "api-security-component-removed": "the component security scheme %s was removed",
    "api-security-component-type-changed": "the component security scheme %s type changed from %s to %s",
    "api-security-component-oauth-url-changed": "the component security scheme %s oauth url changed from %s to %s",
    "api-security-component-oauth-token-url-changed": "the component security scheme %s oauth token url changed "
    "from %s to %s",
    "api-security-component-oauth-scope-added": "the component security scheme %s oauth scope %s was added",
    "api-security-component-oauth-scope-removed": "the component security scheme %s oauth scope %s was removed",
    "api-security-component-oauth-scope-changed": "the component security scheme %s oauth scope %s was updated "
    "from %s to %s",
    # parameters
    "request-parameter-removed": "deleted the %s request parameter %s",
    "request-parameter-removed-with-deprecation": "deleted the %s request parameter %s with deprecation",
    "request-parameter-removed-before-sunset": "deleted the %s request parameter %s before the sunset date %s",
    "request-parameter-sunset-parse": "failed to parse sunset date for the %s request parameter %s: %s",
    "new-required-request-parameter": "added the new required %s request parameter %s",
    "new-optional-request-parameter": "added the new optional %s request parameter %s",
    "new-request-path-parameter": "added the new path request parameter %s",
    "new-required-request-default-parameter-to-existing-path": "added the new required %s request parameter %s to "
    "all path's operations",
    "new-optional-request-default-parameter-to-existing-path": "added the new optional %s request parameter %s to "
    "all path's operations",
    "request-parameter-became-required": "the %s request parameter %s became required",
    "request-parameter-became-optional": "the %s request parameter %s became optional",
    "request-parameter-became-enum": "the %s request parameter %s was restricted to a list of enum values",
    "request-parameter-became-nullable": "the %s request parameter %s became nullable",
    "request-parameter-became-not-nullable": "the %s request parameter %s became not nullable",
    "request-parameter-property-became-nullable": "the %s property of the %s request parameter %s became nullable",
    "request-parameter-property-became-not-nullable": "the %s property of the %s request parameter %s became not "
    "nullable",
    "request-parameter-enum-value-removed": "removed the enum value %s from the %s request parameter %s",
    "request-parameter-enum-value-added": "added the new enum value %s to the %s request parameter %s",
    "request-parameter-property-enum-value-removed": "removed the enum value %s from the property %s of the %s "
    "request parameter %s",
    "request-parameter-property-enum-value-added": "added the enum value %s to the property %s of the %s request "
    "parameter %s",
    "request-parameter-x-extensible-enum-value-removed": "removed the x-extensible-enum value %s from the %s request "
    "parameter %s",
    "request-header-property-became-required": "the %s request header's property %s became required",
    "request-header-property-became-enum": "the %s request header's property %s was restricted to a list of enum "
    "values",
    "new-required-request-header-property": "added the new required %s request header's property %s",
    "request-parameter-pattern-added": "added the pattern %s to the %s request parameter %s",
    "request-parameter-pattern-removed": "removed the pattern %s from the %s request parameter %s",
    "request-parameter-pattern-changed": "changed the pattern of the %s request parameter %s from %s to %s",
    "request-parameter-pattern-generalized": "changed the pattern of the %s request parameter %s from %s to a more "
    "general pattern %s",
    "request-parameter-default-value-added": "for the %s request parameter %s, default value %s was added",
    "request-parameter-default-value-changed": "for the %s request parameter %s, default value was changed from %s "
    "to %s",
    "request-parameter-default-value-removed": "for the %s request parameter %s, default value %s was removed",
    "request-parameter-type-changed": "for the %s request parameter %s, the %s was changed from %s to %s",
    "request-parameter-type-generalized": "for the %s request parameter %s, the %s was widened from %s to %s",
    "request-parameter-property-type-changed": "for the %s request parameter %s, the %s of property %s was changed "
    "from %s to %s",
    "request-parameter-property-type-generalized": "for the %s request parameter %s, the %s of property %s was "
    "widened from %s to %s",
    "request-parameter-property-type-specialized": "for the %s request parameter %s, the %s of property %s was "
    "narrowed from %s to %s",
    "request-parameter-list-of-types-widened": "%s request parameter %s list-of-types was widened by adding types %s",
    "request-parameter-list-of-types-narrowed": "%s request parameter %s list-of-types was narrowed by removing "
    "types %s",
    "request-parameter-property-list-of-types-widened": "property %s of %s request parameter %s list-of-types was "
    "widened by adding types %s",
    "request-parameter-property-list-of-types-narrowed": "property %s of %s request parameter %s list-of-types was "
    "narrowed by removing types %s",
    "request-parameter-deprecated": "%s request parameter %s was deprecated",
    "request-parameter-reactivated": "%s request parameter %s was reactivated",
    "request-parameter-sunset-date-too-small": "%s request parameter %s sunset date %s is too small, must be at "
    "least %s days from now",
    "request-parameter-sunset-date-changed-too-small": "%s request parameter %s sunset date changed to an earlier "
    "date, from %s to %s, new sunset date must be not earlier than %s and at least %s days from now",
    "request-parameter-sunset-deleted": "%s request parameter %s sunset date deleted, but deprecated=true kept",
    # request body
    "request-body-added-required": "added required request body",
    "request-body-added-optional": "added optional request body",
    "request-body-removed": "removed the request body",
    "request-body-became-required": "request body became required",
    "request-body-became-optional": "request body became optional",
    "request-body-media-type-added": "added the media type %s to the request body",
    "request-body-media-type-removed": "removed the media type %s from the request body",
    "request-body-media-type-schema-added": "added a schema to the media type %s of the request body",
    "request-body-media-type-schema-removed": "removed the schema from the media type %s of the request body",
    "request-body-became-enum": "request body was restricted to a list of enum values",
    "request-body-enum-value-removed": "request body enum value removed %s",
    "request-body-became-nullable": "the request's body became nullable",
    "request-body-became-not-nullable": "the request's body became not nullable",
    "request-body-type-changed": "the request's body %s changed from %s to %s",
    "request-body-type-generalized": "the request's body %s was widened from %s to %s",
    "request-body-wrapped-in-one-of": "the request body was restructured into a oneOf, so a payload that was "
    "previously valid may no longer be accepted",
    "request-body-list-of-types-widened": "request body list-of-types was widened by adding types %s to media type %s",
    "request-body-list-of-types-narrowed": "request body list-of-types was narrowed by removing types %s from media "
    "type %s",
    "request-body-default-value-added": "the request body %s default value %s was added",
    "request-body-default-value-changed": "the request body %s default value changed from %s to %s",
    "request-body-default-value-removed": "the request body %s default value %s was removed",
    # request properties
    "request-property-removed": "removed the request property %s",
    "new-required-request-property": "added the new required request property %s",
    "new-required-request-property-with-default": "added the new required request property %s with a default value",
    "new-optional-request-property": "added the new optional request property %s",
    "request-property-became-required": "the request property %s became required",
    "request-property-became-required-with-default": "the request property %s with a default value became required",
    "request-property-became-optional": "the request property %s became optional",
    "request-property-became-not-nullable": "the request property %s became not nullable",
    "request-property-became-nullable": "the request property %s became nullable",
    "request-property-became-enum": "request property %s was restricted to a list of enum values",
    "request-property-enum-value-removed": "removed the enum value %s of the request property %s",
    "request-read-only-property-enum-value-removed": "removed the enum value %s of the request read-only property %s",
    "request-property-enum-value-added": "added the new %s enum value to the request property %s",
    "request-property-x-extensible-enum-value-removed": "removed the x-extensible-enum value %s of the request "
    "property %s",
    "request-property-type-changed": "the %s request property %s changed from %s to %s",
    "request-property-type-generalized": "the %s request property %s was widened from %s to %s",
    "request-property-list-of-types-widened": "request property %s list-of-types was widened by adding types %s to "
    "media type %s",
    "request-property-list-of-types-narrowed": "request property %s list-of-types was narrowed by removing types %s "
    "from media type %s",
    "request-property-pattern-added": "added the pattern %s to the request property %s",
    "request-property-pattern-removed": "removed the pattern %s from the request property %s",
    "request-property-pattern-changed": "changed the pattern of the request property %s from %s to %s",
    "request-property-pattern-generalized": "changed the pattern of the request property %s from %s to a more "
    "general pattern %s",
    "request-property-default-value-added": "the %s request property default value %s was added",
    "request-property-default-value-changed": "the %s request property default value changed from %s to %s",
    "request-property-default-value-removed": "the %s request property default value %s was removed",
    "request-property-deprecated": "request property %s deprecated",
    "request-property-deprecated-with-sunset": "request property %s deprecated with sunset date %s",
    "request-property-deprecated-sunset-invalid": "request property %s deprecated with invalid sunset date: %s",
    "request-property-reactivated": "request property %s reactivated",
    "request-property-sunset-date-too-small": "request property %s sunset date %s is too small, must be at least %s "
    "days from now",
    "request-property-stability-decreased": "request property %s stability level decreased from %s to %s",
    "request-property-stability-increased": "request property %s stability level increased from %s to %s",
    "request-required-property-became-read-only": "the request required property %s became read-only",
    "request-required-property-became-not-read-only": "the request required property %s became not read-only",
    "request-required-property-became-write-only": "the request required property %s became write-only",
    "request-required-property-became-not-write-only": "the request required property %s became not write-only",
    "request-optional-property-became-read-only": "the request optional property %s became read-only",
    "request-optional-property-became-not-read-only": "the request optional property %s became not read-only",
    "request-optional-property-became-write-only": "the request optional property %s became write-only",
    "request-optional-property-became-not-write-only": "the request optional property %s became not write-only",
    # responses
    "response-success-status-removed": "removed the success response with the status %s",
    "response-non-success-status-removed": "removed the non-success response with the status %s",
    "response-success-status-added": "added the success response with the status %s",
    "response-non-success-status-added": "added the non-success response with the status %s",
    "response-media-type-removed": "removed the media type %s for the response with the status %s",
    "response-media-type-added": "added the media type %s for the response with the status %s",
    "response-body-media-type-schema-added": "added a schema to the media type %s for the response with the "
    "status %s",
    "response-body-media-type-schema-removed": "removed the schema from the media type %s for the response with the "
    "status %s",
    "response-body-type-changed": "the response's body %s changed from %s to %s for status %s",
    "response-body-type-generalized": "the response's body %s was widened from %s to %s for status %s",
    "response-body-type-specialized": "the response's body %s was narrowed from %s to %s for status %s",
    "response-property-type-changed": "the %s response's property %s changed from %s to %s for status %s",
    "response-property-type-generalized": "the %s response's property %s was widened from %s to %s for status %s",
    "response-property-type-specialized": "the %s response's property %s was narrowed from %s to %s for status %s",
    "response-body-wrapped-in-one-of": "the response body was restructured into a oneOf, so a field that was "
    "previously guaranteed may no longer be present",
    "response-body-list-of-types-widened": "response body list-of-types was widened by adding types %s to media type "
    "%s of response %s",
    "response-body-list-of-types-narrowed": "response body list-of-types was narrowed by removing types %s from media "
    "type %s of response %s",
    "response-property-list-of-types-widened": "response property %s list-of-types was widened by adding types %s to "
    "media type %s of response %s",
    "response-property-list-of-types-narrowed": "response property %s list-of-types was narrowed by removing types %s "
    "from media type %s of response %s",
    "response-body-became-nullable": "the response's body became nullable",
    "response-body-became-not-nullable": "the response's body became not nullable",
    "response-property-became-nullable": "the response property %s became nullable for the status %s",
    "response-property-became-not-nullable": "the response property %s became not nullable for the status %s",
    "response-property-became-optional": "the response property %s became optional for the status %s",
    "response-property-became-required": "the response property %s became required for the status %s",
    "response-write-only-property-became-optional": "the response write-only property %s became optional for the "
    "status %s",
    "response-write-only-property-became-required": "the response write-only property %s became required for the "
    "status %s",
    "response-required-property-removed": "removed the required property %s from the response with the %s status",
    "response-optional-property-removed": "removed the optional property %s from the response with the %s status",
    "response-required-write-only-property-removed": "removed the required write-only property %s from the response "
    "with the %s status",
    "response-optional-write-only-property-removed": "removed the optional write-only property %s from the response "
    "with the %s status",
    "response-required-property-added": "added the required property %s to the response with the %s status",
    "response-optional-property-added": "added the optional property %s to the response with the %s status",
    "response-required-write-only-property-added": "added the required write-only property %s to the response with "
    "the %s status",
    "response-optional-write-only-property-added": "added the optional write-only property %s to the response with "
    "the %s status",
    "response-property-enum-value-added": "added the new %s enum value to the %s response property for the response "
    "status %s",
    "response-write-only-property-enum-value-added": "added the new %s enum value to the %s response write-only "
    "property for the response status %s",
    "response-property-enum-value-removed": "removed the %s enum value from the %s response property for the "
    "response status %s",
    "response-mediatype-enum-value-removed": "response schema %s enum value removed %s",
    "response-property-pattern-added": "the %s response's property pattern %s was added for the status %s",
    "response-property-pattern-removed": "the %s response's property pattern %s was removed for the status %s",
    "response-property-pattern-changed": "the %s response's property pattern was changed from %s to %s for the "
    "status %s",
    "response-property-default-value-added": "the %s response's property default value %s was added for the status %s",
    "response-property-default-value-changed": "the %s response's property default value changed from %s to %s for "
    "the status %s",
    "response-property-default-value-removed": "the %s response's property default value %s was removed for the "
    "status %s",
    "response-body-default-value-added": "the response body %s default value %s was added for the status %s",
    "response-body-default-value-changed": "the response body %s default value changed from %s to %s for the status %s",
    "response-body-default-value-removed": "the response body %s default value %s was removed for the status %s",
    "response-property-deprecated": "response property %s deprecated",
    "response-property-deprecated-with-sunset": "response property %s deprecated with sunset date %s",
    "response-property-deprecated-sunset-invalid": "response property %s deprecated with invalid sunset date: %s",
    "response-property-reactivated": "response property %s reactivated",
    "response-property-sunset-date-too-small": "response property %s sunset date %s is too small, must be at least %s "
    "days from now",
    "response-property-stability-decreased": "response property %s stability level decreased from %s to %s",
    "response-property-stability-increased": "response property %s stability level increased from %s to %s",
    "response-required-property-became-read-only": "the response required property %s became read-only for the "
    "status %s",
    "response-required-property-became-not-read-only": "the response required property %s became not read-only for "
    "the status %s",
    "response-required-property-became-write-only": "the response required property %s became write-only for the "
    "status %s",
    "response-required-property-became-not-write-only": "the response required property %s became not write-only "
    "for the status %s",
    "response-optional-property-became-read-only": "the response optional property %s became read-only for the "
    "status %s",
    "response-optional-property-became-not-read-only": "the response optional property %s became not read-only for "
    "the status %s",
    "response-optional-property-became-write-only": "the response optional property %s became write-only for the "
    "status %s",
    "response-optional-property-became-not-write-only": "the response optional property %s became not write-only "
    "for the status %s",
    # response headers
    "response-header-added": "the response header %s was added for the status %s",
    "required-response-header-removed": "the mandatory response header %s removed for the status %s",
    "optional-response-header-removed": "the optional response header %s removed for the status %s",
    "response-header-became-optional": "the response header %s became optional for the status %s",
    "response-header-type-changed": "the %s response header's %s changed from %s to %s for the status %s",
    "response-header-type-generalized": "the %s response header's %s was widened from %s to %s for the status %s",
    "response-header-type-specialized": "the %s response header's %s was narrowed from %s to %s for the status %s",
    "response-header-type-compatible": "the %s response header's %s changed from %s to %s for the status %s "
    "(backward compatible)",
    "response-header-became-nullable": "the response header %s became nullable for the status %s",
    "response-header-became-not-nullable": "the response header %s became not nullable for the status %s",
}


#: Raise on a template/argument mismatch instead of falling back to a generic wording (the tests set it).
STRICT = False


def message(change_id: str, *args) -> str:
    template = MESSAGES.get(change_id) or FAMILY_MESSAGES.get(change_id)
    quoted = tuple(q(arg) for arg in args)
    if template is not None:
        try:
            return template % quoted
        except TypeError:
            if STRICT:
                raise
    elif STRICT:
        raise KeyError(f"no message template for {change_id}")
    return change_id.replace("-", " ") + (": " + ", ".join(quoted) if quoted else "")
