using System.CommandLine;
using System.Text;
using Bifrost.Api.Auth;
using Bifrost.Host.Configuration;

namespace Bifrost.Host.Users;

/// <summary>
/// <c>bifrost user add|remove|list</c>: manages the http_basic users file (<c>Bifrost:Api:UsersFile</c>). The
/// password never comes from the command line (it would sit in shell history and <c>ps</c>): it is prompted for on
/// a terminal, or read as the first line of stdin (<c>--password-stdin</c>, or whenever stdin is not a terminal).
/// </summary>
public static class UserCommand
{
    public delegate Task<int> Runner(ParseResult result, Func<BifrostSettings, CancellationToken, Task<int>> verb, CancellationToken ct);

    public static Command Create(Runner run)
    {
        var user = new Command("user", "Manage the API users of http_basic authentication (Bifrost:Api:UsersFile).");

        var addName = new Argument<string>("NAME") { Description = "User name" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of stdin" };
        var add = new Command("add", "Add a user, or set a new password for an existing one.") { addName, passwordStdin };
        add.SetAction((r, ct) => run(r, (s, _) => AddAsync(s, r.GetValue(addName)!, r.GetValue(passwordStdin)), ct));

        var removeName = new Argument<string>("NAME") { Description = "User name" };
        var remove = new Command("remove", "Remove a user.") { removeName };
        remove.SetAction((r, ct) => run(r, (s, _) => RemoveAsync(s, r.GetValue(removeName)!), ct));

        var list = new Command("list", "List the user names.");
        list.SetAction((r, ct) => run(r, (s, _) => ListAsync(s), ct));

        user.Subcommands.Add(add);
        user.Subcommands.Add(remove);
        user.Subcommands.Add(list);
        return user;
    }

    private static async Task<int> AddAsync(BifrostSettings settings, string name, bool fromStdin)
    {
        if (!UsersFile.IsValidName(name))
            return await Fail("a user name is 1-64 printable characters without ':' or spaces");
        var password = fromStdin || Console.IsInputRedirected ? await ReadLineAsync() : Prompt();
        if (password is null) return await Fail("no password given");
        if (password.Length == 0) return await Fail("the password must not be empty");

        var file = settings.Api.UsersFile;
        var users = ReadOrFail(file);
        if (users is null) return 1;
        var existed = users.Remove(name);
        users[name] = new UsersFile.Entry(name, PasswordHash.Create(Encoding.UTF8.GetBytes(password)));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        UsersFile.Write(file, users.Values);
        Console.WriteLine(existed ? $"user {name}: password changed ({file})" : $"user {name} added ({file})");
        if (settings.Api.Auth != ApiAuthMode.HttpBasic)
            await Console.Error.WriteLineAsync("note: Bifrost:Api:Auth is not http_basic, so the API does not ask for it yet");
        return 0;
    }

    private static async Task<int> RemoveAsync(BifrostSettings settings, string name)
    {
        var file = settings.Api.UsersFile;
        var users = ReadOrFail(file);
        if (users is null) return 1;
        if (!users.Remove(name)) return await Fail($"no user {name} in {file}");
        UsersFile.Write(file, users.Values);
        Console.WriteLine($"user {name} removed ({file})");
        return 0;
    }

    private static Task<int> ListAsync(BifrostSettings settings)
    {
        var users = ReadOrFail(settings.Api.UsersFile);
        if (users is null) return Task.FromResult(1);
        foreach (var name in users.Keys.Order(StringComparer.Ordinal)) Console.WriteLine(name);
        return Task.FromResult(0);
    }

    private static Dictionary<string, UsersFile.Entry>? ReadOrFail(string file)
    {
        try
        {
            return UsersFile.Read(file).ToDictionary(StringComparer.Ordinal);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"bifrost: {e.Message}");
            return null;
        }
    }

    private static async Task<int> Fail(string message)
    {
        await Console.Error.WriteLineAsync($"bifrost: {message}");
        return 1;
    }

    private static async Task<string?> ReadLineAsync()
    {
        var line = await Console.In.ReadLineAsync();
        return line?.TrimEnd('\r');
    }

    /// <summary>Asks twice on the terminal without echo.</summary>
    private static string? Prompt()
    {
        var first = ReadHidden("Password: ");
        var second = ReadHidden("Repeat password: ");
        if (first != second)
        {
            Console.Error.WriteLine("bifrost: the passwords do not match");
            return null;
        }
        return first;
    }

    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0) text.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return text.ToString();
    }
}
