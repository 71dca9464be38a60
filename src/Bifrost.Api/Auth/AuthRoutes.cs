using Microsoft.AspNetCore.Http;

namespace Bifrost.Api.Auth;

/// <summary>Which paths skip HTTP basic authentication.</summary>
public static class AuthRoutes
{
    /// <summary>
    /// Ironic's <c>acl_public_routes</c> (ironic/api/config.py): <c>/</c> and <c>/v1</c> are public so clients can
    /// discover versions before they authenticate; they reveal nothing but versions and links.
    /// </summary>
    public static bool IsPublic(PathString path) =>
        path.Value is null or "" or "/" or "/v1" or "/v1/";

    /// <summary>
    /// The deploy agent's endpoints (Ironic: <c>/v1/lookup</c>, <c>/v1/heartbeat/{node}</c>) are public in Ironic too,
    /// but Bifrost guards them with the per-node agent token instead of a user password: the endpoints themselves
    /// (issue 5) must check that token. This is the one exemption point; add agent paths here and nowhere else.
    /// </summary>
    public static bool IsAgent(PathString path) =>
        path.StartsWithSegments("/v1/lookup", StringComparison.Ordinal)
        || path.StartsWithSegments("/v1/heartbeat", StringComparison.Ordinal);
}
