using System.Text.Json;
using Bifrost.Domain.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bifrost.Api.Errors;

/// <summary>
/// The one place errors become HTTP answers: domain errors by kind, bad JSON as 400, oversized bodies as 413, and
/// anything unexpected as a logged 500 that shows no internals.
/// </summary>
public sealed partial class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            var (status, message) = Map(ex);
            if (status >= 500) LogUnexpected(log, ex, context.Request.Method, context.Request.Path);
            else LogRejected(log, context.Request.Method, context.Request.Path, status, message);
            context.Response.Clear();
            await ErrorWriter.WriteFaultAsync(context, status, message);
        }
    }

    public static (int Status, string Message) Map(Exception ex) => ex switch
    {
        ApiException api => (api.Status, api.Message),
        BifrostException domain => (StatusOf(domain.Kind), domain.Message),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            (413, "Request body too large."),
        BadHttpRequestException bad => (bad.StatusCode, $"Bad request: {bad.Message}"),
        JsonException json => (400, $"Malformed JSON in request body: {json.Message}"),
        _ => (500, "An internal error occurred; see the Bifrost log for details."),
    };

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => 404,
        ErrorKind.Conflict => 409,
        ErrorKind.NotAcceptable => 406,
        ErrorKind.Internal => 500,
        _ => 400,
    };

    [LoggerMessage(2000, LogLevel.Error, "{Method} {Path} failed")]
    private static partial void LogUnexpected(ILogger log, Exception ex, string method, string path);

    [LoggerMessage(2001, LogLevel.Information, "{Method} {Path} → {Status}: {Message}")]
    private static partial void LogRejected(ILogger log, string method, string path, int status, string message);
}
