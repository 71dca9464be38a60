using System.Net;
using Bifrost.Api.Auth;

namespace Bifrost.Host.Configuration;

/// <summary><c>Bifrost:Api:Auth</c>, <c>UsersFile</c> and <c>AllowInsecureNoAuth</c>.</summary>
public static class AuthSettings
{
    public static ApiAuthMode Mode(string raw) => raw.ToLowerInvariant() switch
    {
        "none" or "noauth" => ApiAuthMode.None,
        "http_basic" => ApiAuthMode.HttpBasic,
        _ => throw new ConfigError($"Bifrost:Api:Auth = '{raw}' must be none or http_basic"),
    };

    /// <summary>Empty means <c>users</c> in the state directory (the service user owns it, so the daemon can read it).</summary>
    public static string UsersFile(string raw, string stateDir) =>
        string.IsNullOrWhiteSpace(raw) ? Path.Combine(stateDir, "users") : Path.GetFullPath(raw);

    /// <summary>
    /// No authentication is fine on loopback (only local users reach it) and nowhere else: whoever reaches the API can
    /// power machines and read their BMC addresses. Refused unless the operator says, in so many words, it is wanted.
    /// </summary>
    public static void CheckExposure(ApiAuthMode mode, IPEndPoint endpoint, bool allowInsecure)
    {
        if (mode != ApiAuthMode.None || IPAddress.IsLoopback(endpoint.Address) || allowInsecure) return;
        throw new ConfigError(
            $"Bifrost:Api:Auth = none on the non-loopback address {endpoint} lets anyone on the network drive the " +
            "BMCs: set Bifrost:Api:Auth = http_basic (and 'bifrost user add NAME'), listen on 127.0.0.1, or set " +
            "Bifrost:Api:AllowInsecureNoAuth = true");
    }
}
