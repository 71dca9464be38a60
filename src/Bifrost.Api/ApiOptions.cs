using Bifrost.Api.Auth;

namespace Bifrost.Api;

/// <summary>API settings (configuration section <c>Bifrost:Api</c>).</summary>
public sealed class ApiOptions
{
    /// <summary>Where the API listens, "address:port".</summary>
    public string Listen { get; set; } = "127.0.0.1:6385";

    /// <summary>The most items one list answer holds (Ironic's [api] max_limit); more pages follow via "next".</summary>
    public int MaxLimit { get; set; } = 1000;

    /// <summary>The largest request body accepted (answered 413 with Ironic's error body above it).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The server's own cap: bodies up to here are read to the end before the 413, so the client sees it;
    /// beyond it the connection is cut.</summary>
    public long HardBodyLimitBytes => MaxBodyBytes * 16;

    /// <summary>How API clients authenticate (Ironic's auth_strategy: none or http_basic).</summary>
    public ApiAuthMode Auth { get; set; } = ApiAuthMode.None;

    /// <summary>The users file for http_basic (full path).</summary>
    public string UsersFile { get; set; } = "users";
}
