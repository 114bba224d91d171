/**
 * Prometheus's and Go's behaviour that PromRoute must reproduce byte for byte, each written once:
 * Go's string quoting, order and float formatting, JSON escaping, label-name rules, regex
 * anchoring, hop-by-hop headers. Not an API: exported only to PromRoute's own modules.
 */
package io.promroute.compat;
