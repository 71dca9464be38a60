using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bifrost.Api.Auth;

/// <summary>
/// Ironic's <c>http_basic</c> auth strategy (ironic_lib/auth_basic.py): every request except the public and agent
/// routes carries <c>Authorization: Basic base64(user:password)</c>. Answers as Ironic does: 401 with
/// <c>WWW-Authenticate: Basic realm="Baremetal API"</c> and <c>{"error": {"message": ..., "code": 401}}</c> for a
/// missing header or wrong credentials, 400 for a header that cannot be parsed. Failed logins are logged with the
/// user name and client address (never the password) and throttled per address (429).
/// </summary>
public sealed partial class BasicAuthMiddleware(
    RequestDelegate next, UserStore users, LoginThrottle throttle, ILogger<BasicAuthMiddleware> logger)
{
    public const string Realm = "Basic realm=\"Baremetal API\"";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (AuthRoutes.IsPublic(path) || AuthRoutes.IsAgent(path))
        {
            await next(context);
            return;
        }

        var client = context.Connection.RemoteIpAddress ?? IPAddress.None;
        string? header = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            // Not a failed login: clients probe without credentials first (curl, browsers); not throttled.
            await WriteAsync(context, 401, "Authorization required");
            return;
        }

        if (!throttle.MayTry(client, out var retryAfter))
        {
            Log.Throttled(logger, client.ToString());
            context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await WriteAsync(context, 429, "Too many failed logins from this address; try again later");
            return;
        }

        switch (Check(header, out var user))
        {
            case Outcome.Ok:
                context.Items[UserItem] = user;
                await next(context);
                return;
            case Outcome.Malformed:
                throttle.Failed(client);
                Log.Failed(logger, "(unparsable header)", client.ToString(), "the Authorization header is not Basic base64(user:password)");
                await WriteAsync(context, 400, "Could not decode authorization token");
                return;
            case Outcome.UnknownUser:
                throttle.Failed(client);
                Log.Failed(logger, Printable(user!), client.ToString(), "no such user");
                await WriteAsync(context, 401, "Incorrect username or password");
                return;
            default:
                throttle.Failed(client);
                Log.Failed(logger, Printable(user!), client.ToString(), "wrong password");
                await WriteAsync(context, 401, "Incorrect username or password");
                return;
        }
    }

    /// <summary>The authenticated user name in <see cref="HttpContext.Items"/>.</summary>
    public const string UserItem = "bifrost.user";

    private enum Outcome { Ok, Malformed, UnknownUser, WrongPassword }

    private Outcome Check(string header, out string? user)
    {
        user = null;
        var value = header.AsSpan().Trim();
        var space = value.IndexOf(' ');
        if (space <= 0 || !value[..space].Equals("Basic", StringComparison.OrdinalIgnoreCase)) return Outcome.Malformed;
        var token = value[(space + 1)..].Trim();

        var rented = ArrayPool<byte>.Shared.Rent(token.Length);
        try
        {
            if (!Convert.TryFromBase64Chars(token, rented, out var n)) return Outcome.Malformed;
            var decoded = rented.AsSpan(0, n);
            var colon = decoded.IndexOf((byte)':');
            if (colon < 0) return Outcome.Malformed;
            try
            {
                user = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(decoded[..colon]);
            }
            catch (DecoderFallbackException)
            {
                return Outcome.Malformed;
            }
            var password = decoded[(colon + 1)..];
            var hash = users.Find(user);
            if (hash is null)
            {
                PasswordHash.DummyVerify(password);
                return Outcome.UnknownUser;
            }
            return hash.Verify(password) ? Outcome.Ok : Outcome.WrongPassword;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A user name as sent is attacker-controlled: no control characters in log lines, and short.</summary>
    private static string Printable(string user)
    {
        var s = new string(user.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return user.Length > 64 ? s + "…" : s;
    }

    /// <summary>ironic_lib's BasicAuthMiddleware.format_exception body (not the API's error_message shape).</summary>
    private static async Task WriteAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (status == 401) response.Headers.WWWAuthenticate = Realm;
        response.ContentType = "application/json";
        var body = Encoding.UTF8.GetBytes(
            $"{{\"error\": {{\"message\": {System.Text.Json.JsonSerializer.Serialize(message)}, \"code\": {status}}}}}");
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }

    private static partial class Log
    {
        [LoggerMessage(2110, LogLevel.Warning, "API login failed for user {User} from {Client}: {Reason}")]
        public static partial void Failed(ILogger logger, string user, string client, string reason);

        [LoggerMessage(2111, LogLevel.Warning, "API login from {Client} refused: too many failed logins")]
        public static partial void Throttled(ILogger logger, string client);
    }
}
