using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// A stand-in for the node agent: listens on a Unix socket in a temporary directory, records every HTTP request
/// the plugin sends, and answers each as the test scripts (<see cref="Replies"/>, <see cref="Closes"/>, …).
/// </summary>
public sealed class FakeAgent : IDisposable
{
    public sealed record Request(string Head, JsonObject Env, byte[] Stdin);

    readonly TempDir dir = new();
    readonly Socket listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    readonly CancellationTokenSource stop = new();
    readonly Func<Socket, CancellationToken, Task> answer;
    int connections;

    public string Directory => dir.Path;
    public string SocketPath { get; }
    public ConcurrentQueue<Request> Requests { get; } = new();
    public int Connections => Volatile.Read(ref connections);

    public FakeAgent(Func<Socket, CancellationToken, Task> answer, string name = "node.sock")
    {
        this.answer = answer;
        SocketPath = System.IO.Path.Combine(dir.Path, name);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(16);
        _ = Task.Run(AcceptLoop);
    }

    /// <summary>A 200 response with a Content-Length and <paramref name="json"/> as its body.</summary>
    public static Func<Socket, CancellationToken, Task> Replies(string json) =>
        Raw($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    /// <summary>Exactly these bytes, then the connection closed.</summary>
    public static Func<Socket, CancellationToken, Task> Raw(string response) =>
        async (socket, ct) => await socket.SendAsync(Encoding.UTF8.GetBytes(response), SocketFlags.None, ct);

    /// <summary>The agent dies after reading the request: the connection closes with no response.</summary>
    public static Func<Socket, CancellationToken, Task> Closes => (_, _) => Task.CompletedTask;

    /// <summary>The agent reads the request and never answers (until the test ends).</summary>
    public static Func<Socket, CancellationToken, Task> Hangs => async (_, ct) =>
    {
        try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
    };

    async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket connection;
            try { connection = await listener.AcceptAsync(stop.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref connections);
            _ = Task.Run(async () =>
            {
                using (connection)
                {
                    try
                    {
                        Requests.Enqueue(await ReadRequest(connection, stop.Token));
                        await answer(connection, stop.Token);
                        connection.Shutdown(SocketShutdown.Both);
                    }
                    catch (Exception) { }
                }
            });
        }
    }

    static async Task<Request> ReadRequest(Socket connection, CancellationToken ct)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8.ToArray())) < 0)
            received.AddRange(buffer.AsSpan(0, await Receive(connection, buffer, ct)));
        var head = Encoding.ASCII.GetString(received.GetRange(0, headEnd).ToArray());
        var length = int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim());
        while (received.Count < headEnd + 4 + length) received.AddRange(buffer.AsSpan(0, await Receive(connection, buffer, ct)));
        var body = JsonNode.Parse(received.GetRange(headEnd + 4, length).ToArray())!.AsObject();
        return new Request(head, body["env"]!.AsObject(), Convert.FromBase64String(body["stdin"]!.GetValue<string>()));
    }

    static async Task<int> Receive(Socket connection, byte[] buffer, CancellationToken ct)
    {
        var n = await connection.ReceiveAsync(buffer, SocketFlags.None, ct);
        return n > 0 ? n : throw new EndOfStreamException("the plugin closed before the whole request");
    }

    static int IndexOf(List<byte> bytes, byte[] what)
    {
        for (var i = 0; i + what.Length <= bytes.Count; i++)
            if (bytes.GetRange(i, what.Length).SequenceEqual(what)) return i;
        return -1;
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Dispose();
        dir.Dispose();
    }
}
