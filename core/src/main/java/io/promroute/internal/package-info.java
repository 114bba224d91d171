/** Internal helpers shared by PromRoute's packages; not an API, may change in any release. */
package io.promroute.internal;
