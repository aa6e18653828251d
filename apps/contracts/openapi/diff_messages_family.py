"""Message templates of the regular oasdiff id families (composition lists, discriminators, bounds, 3.1 keywords).

Wording after oasdiff's ``checker/localizations_src/en/messages.yaml`` (Apache-2.0).
"""

from __future__ import annotations

# Families whose wording is regular: composition lists, discriminators, constraints, 3.1 keywords.
FAMILY_MESSAGES: dict[str, str] = {}


def _family() -> None:
    for keyword in ("anyOf", "oneOf", "allOf"):
        slug = {"anyOf": "any-of", "oneOf": "one-of", "allOf": "all-of"}[keyword]
        for verb, prep in (("added", "to"), ("removed", "from")):
            FAMILY_MESSAGES[f"request-body-{slug}-{verb}"] = f"{verb} %s {prep} the request body `{keyword}` list"
            FAMILY_MESSAGES[f"request-property-{slug}-{verb}"] = (
                f"{verb} %s {prep} the %s request property `{keyword}` list"
            )
            FAMILY_MESSAGES[f"response-body-{slug}-{verb}"] = (
                f"{verb} %s {prep} the response body `{keyword}` list for the response status %s"
            )
            FAMILY_MESSAGES[f"response-property-{slug}-{verb}"] = (
                f"{verb} %s {prep} the %s response property `{keyword}` list for the response status %s"
            )
    for side in ("request", "response"):
        status = " for the response status %s" if side == "response" else ""
        for verb, prep in (("added", "to"), ("removed", "from")):
            FAMILY_MESSAGES[f"{side}-body-all-of-{verb}-annotation-only"] = (
                f"{verb} annotation-only %s {prep} the {side} body `allOf` list{status}"
            )
            FAMILY_MESSAGES[f"{side}-property-all-of-{verb}-annotation-only"] = (
                f"{verb} annotation-only %s {prep} the %s {side} property `allOf` list{status}"
            )
        FAMILY_MESSAGES[f"{side}-body-discriminator-added"] = f"added {side} discriminator{status}"
        FAMILY_MESSAGES[f"{side}-property-discriminator-added"] = f"added discriminator to %s {side} property{status}"
        FAMILY_MESSAGES[f"{side}-body-discriminator-removed"] = f"removed {side} discriminator{status}"
        FAMILY_MESSAGES[f"{side}-property-discriminator-removed"] = (
            f"removed discriminator from %s {side} property{status}"
        )
        FAMILY_MESSAGES[f"{side}-body-discriminator-property-name-changed"] = (
            f"{side} discriminator property name changed from %s to %s{status}"
        )
        FAMILY_MESSAGES[f"{side}-property-discriminator-property-name-changed"] = (
            f"{side} discriminator property name changed for %s {side} property from %s to %s{status}"
        )
        FAMILY_MESSAGES[f"{side}-body-discriminator-mapping-added"] = (
            f"added %s mapping keys to the {side} discriminator{status}"
        )
        FAMILY_MESSAGES[f"{side}-property-discriminator-mapping-added"] = (
            f"added %s discriminator mapping keys to the %s {side} property{status}"
        )
        FAMILY_MESSAGES[f"{side}-body-discriminator-mapping-deleted"] = (
            f"removed %s mapping keys from the {side} discriminator{status}"
        )
        FAMILY_MESSAGES[f"{side}-property-discriminator-mapping-deleted"] = (
            f"removed %s discriminator mapping keys from the %s {side} property{status}"
        )
        FAMILY_MESSAGES[f"{side}-body-discriminator-mapping-changed"] = (
            f"mapped value for key %s changed from %s to %s from the {side} discriminator{status}"
        )
        FAMILY_MESSAGES[f"{side}-property-discriminator-mapping-changed"] = (
            f"mapped value for discriminator key %s changed from %s to %s for %s {side} property{status}"
        )
    # bounds: "<side>-<scope>-<bound>-<verb>"; request side "the request's body X ..." / "the %s request property's X"
    bounds = {
        "max": "max",
        "min": "min",
        "max-length": "maxLength",
        "min-length": "minLength",
        "min-items": "minItems",
        "max-items": "maxItems",
        "exclusive-max": "exclusiveMaximum",
        "exclusive-min": "exclusiveMinimum",
    }
    for slug, keyword in bounds.items():
        for verb in ("increased", "decreased"):
            FAMILY_MESSAGES[f"request-body-{slug}-{verb}"] = f"the request's body {keyword} was {verb} from %s to %s"
            FAMILY_MESSAGES[f"request-property-{slug}-{verb}"] = (
                f"the %s request property's {keyword} was {verb} from %s to %s"
            )
            FAMILY_MESSAGES[f"request-read-only-property-{slug}-{verb}"] = (
                f"the %s request read-only property's {keyword} was {verb} from %s to %s"
            )
            FAMILY_MESSAGES[f"response-body-{slug}-{verb}"] = f"the response's body {keyword} was {verb} from %s to %s"
            FAMILY_MESSAGES[f"response-property-{slug}-{verb}"] = (
                f"the %s response property's {keyword} was {verb} from %s to %s for the response status %s"
            )
            FAMILY_MESSAGES[f"request-parameter-{slug}-{verb}"] = (
                f"for the %s request parameter %s, the {keyword} was {verb} from %s to %s"
            )
        FAMILY_MESSAGES[f"request-body-{slug}-set"] = f"the request's body {keyword} was set to %s"
        FAMILY_MESSAGES[f"request-property-{slug}-set"] = f"the %s request property's {keyword} was set to %s"
        FAMILY_MESSAGES[f"request-parameter-{slug}-set"] = (
            f"for the %s request parameter %s, the {keyword} was set to %s"
        )
        FAMILY_MESSAGES[f"response-body-{slug}-unset"] = f"the response's body {keyword} was unset from %s"
        FAMILY_MESSAGES[f"response-property-{slug}-unset"] = (
            f"the %s response property's {keyword} was unset from %s for the response status %s"
        )
    # OpenAPI 3.1 / JSON Schema 2020-12 keywords
    for side in ("request", "response"):
        status = " for the status %s" if side == "response" else ""
        for slug, keyword in (
            ("if", "'if' subschema"),
            ("then", "'then' subschema"),
            ("else", "'else' subschema"),
            ("contains", "'contains' constraint"),
            ("property-names", "'propertyNames' constraint"),
            ("unevaluated-items", "'unevaluatedItems' constraint"),
            ("unevaluated-properties", "'unevaluatedProperties' constraint"),
            ("content-schema", "'contentSchema'"),
        ):
            FAMILY_MESSAGES[f"{side}-body-{slug}-added"] = f"added {keyword} to the {side} body{status}"
            FAMILY_MESSAGES[f"{side}-body-{slug}-removed"] = f"removed {keyword} from the {side} body{status}"
            FAMILY_MESSAGES[f"{side}-property-{slug}-added"] = f"added {keyword} to the %s {side} property{status}"
            FAMILY_MESSAGES[f"{side}-property-{slug}-removed"] = (
                f"removed {keyword} from the %s {side} property{status}"
            )
        for verb in ("added", "removed"):
            prep = "to" if verb == "added" else "from"
            FAMILY_MESSAGES[f"{side}-body-pattern-property-{verb}"] = (
                f"{verb} the pattern property %s {prep} the {side} body{status}"
            )
            FAMILY_MESSAGES[f"{side}-property-pattern-property-{verb}"] = (
                f"{verb} the pattern property %s {prep} the %s {side} property{status}"
            )
            FAMILY_MESSAGES[f"{side}-body-dependent-schema-{verb}"] = (
                f"{verb} the dependent schema %s {prep} the {side} body{status}"
            )
            FAMILY_MESSAGES[f"{side}-property-dependent-schema-{verb}"] = (
                f"{verb} the dependent schema %s {prep} the %s {side} property{status}"
            )
            FAMILY_MESSAGES[f"{side}-body-prefix-items-{verb}"] = f"{verb} %s {prep} the {side} body 'prefixItems' list"
            FAMILY_MESSAGES[f"{side}-property-prefix-items-{verb}"] = (
                f"{verb} %s {prep} the %s {side} property 'prefixItems' list"
            )
            FAMILY_MESSAGES[f"{side}-body-dependent-required-{verb}"] = (
                f"the {side} body dependentRequired was {verb}{status}: %s"
            )
            FAMILY_MESSAGES[f"{side}-property-dependent-required-{verb}"] = (
                f"the %s {side} property dependentRequired was {verb}{status}: %s"
            )
        FAMILY_MESSAGES[f"{side}-body-dependent-required-changed"] = (
            f"the {side} body dependentRequired for %s was updated{status}"
        )
        FAMILY_MESSAGES[f"{side}-property-dependent-required-changed"] = (
            f"the %s {side} property dependentRequired for %s was updated{status}"
        )
        for slug, keyword in (("min-contains", "minContains"), ("max-contains", "maxContains")):
            for verb in ("increased", "decreased"):
                FAMILY_MESSAGES[f"{side}-body-{slug}-{verb}"] = (
                    f"the {side} body {keyword} was {verb} from %s to %s{status}"
                )
                FAMILY_MESSAGES[f"{side}-property-{slug}-{verb}"] = (
                    f"the %s {side} property {keyword} was {verb} from %s to %s{status}"
                )
        for slug, keyword in (("content-media-type", "contentMediaType"), ("content-encoding", "contentEncoding")):
            FAMILY_MESSAGES[f"{side}-body-{slug}-changed"] = f"the {side} body {keyword} changed from %s to %s{status}"
            FAMILY_MESSAGES[f"{side}-property-{slug}-changed"] = (
                f"the %s {side} property {keyword} changed from %s to %s{status}"
            )
        FAMILY_MESSAGES[f"{side}-body-const-added"] = f"the {side} body %s const value %s was added{status}"
        FAMILY_MESSAGES[f"{side}-body-const-removed"] = f"the {side} body %s const value %s was removed{status}"
        FAMILY_MESSAGES[f"{side}-body-const-changed"] = f"the {side} body %s const value changed from %s to %s{status}"
        FAMILY_MESSAGES[f"{side}-property-const-added"] = f"the %s {side} property const value %s was added{status}"
        FAMILY_MESSAGES[f"{side}-property-const-removed"] = f"the %s {side} property const value %s was removed{status}"
        FAMILY_MESSAGES[f"{side}-property-const-changed"] = (
            f"the %s {side} property const value changed from %s to %s{status}"
        )


_family()
