using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Bifrost.Api.Errors;

/// <summary>
/// Ironic's error body: <c>{"error_message": "&lt;JSON string&gt;"}</c>. API errors carry
/// faultcode/faultstring/debuginfo; routing errors (unknown path, 406) carry code/title/description. The inner JSON
/// is spelled as Python's json.dumps spells it, since that is what clients have seen for years.
/// </summary>
public static class ErrorWriter
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string FaultBody(int status, string message)
    {
        var faultcode = status >= 500 ? "Server" : "Client";
        var inner = $"{{\"faultcode\": \"{faultcode}\", \"faultstring\": {Quote(message)}, \"debuginfo\": null}}";
        return $"{{\"error_message\": {Quote(inner)}}}";
    }

    public static string RoutingBody(int status, string title, string description)
    {
        var inner = $"{{\"code\": {status}, \"title\": {Quote(title)}, \"description\": {Quote(description)}}}";
        return $"{{\"error_message\": {Quote(inner)}}}";
    }

    public static Task WriteFaultAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, FaultBody(status, message));

    public static Task WriteRoutingErrorAsync(HttpContext context, int status, string title, string description) =>
        WriteAsync(context, status, RoutingBody(status, title, description));

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
    }

    private static string Quote(string s) => JsonSerializer.Serialize(s, Relaxed);
}
