namespace Bifrost.Api.Auth;

/// <summary><c>Bifrost:Api:Auth</c>: Ironic's <c>auth_strategy</c> values that make sense without Keystone.</summary>
public enum ApiAuthMode
{
    /// <summary>Ironic's <c>noauth</c>: every request is allowed (refused on a non-loopback address unless forced).</summary>
    None,

    /// <summary>Ironic's <c>http_basic</c>: users and salted PBKDF2 hashes in the users file.</summary>
    HttpBasic,
}
