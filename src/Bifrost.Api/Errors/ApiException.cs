using Bifrost.Domain.Errors;

namespace Bifrost.Api.Errors;

/// <summary>An error found by the API layer itself (bad body, bad query), with its own status.</summary>
public sealed class ApiException(int status, string message) : BifrostException(message, KindOf(status))
{
    public int Status { get; } = status;

    public static ApiException BadRequest(string message) => new(400, message);
    public static ApiException NotAcceptable() => new(406, "Request not acceptable.");

    private static ErrorKind KindOf(int status) => status switch
    {
        404 => ErrorKind.NotFound,
        406 => ErrorKind.NotAcceptable,
        409 => ErrorKind.Conflict,
        >= 500 => ErrorKind.Internal,
        _ => ErrorKind.Invalid,
    };
}
