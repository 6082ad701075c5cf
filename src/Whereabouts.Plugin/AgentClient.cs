using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Whereabouts.Cni;
using Whereabouts.Core.Engine;

namespace Whereabouts.Plugin;

/// <summary>
/// The plugin as the node agent's client: one HTTP/1.1 request over the agent's Unix socket, written by hand
/// so that this path loads nothing of HTTP, TLS or the stores. The agent answers with the reply it served, or
/// with <c>{"direct":true}</c> when it does not serve the request's datastore.
/// </summary>
static class AgentClient
{
    /// <summary>Beyond the retry deadline the agent itself works within: its reply still has to arrive.</summary>
    const int ReplyGraceMs = 2000;

    const int MaxResponseBytes = 4 << 20;

    /// <summary>
    /// The agent's reply, or null for direct mode: the verb touches no store (VERSION, an unknown one), no
    /// trusted agent listens, the agent declined, or it failed. After a failure direct mode runs once and may
    /// serve a call the agent had already served, which ADD and DEL allow: both are idempotent per container
    /// and interface.
    /// </summary>
    public static CniReply? Forward(Func<ReadOnlyMemory<byte>> readStdin)
    {
        if (Environment.GetEnvironmentVariable("CNI_COMMAND") is not ("ADD" or "DEL" or "CHECK" or "GC" or "STATUS")) return null;
        if (AgentSocket.Trusted() is not { } path) return null;
        try
        {
            var deadline = Environment.TickCount64 + TimeoutMs();
            var request = Request(readStdin().Span);
            using var socket = AgentSocket.Connect(path, Remaining(deadline));
            if (socket is null || !socket.Send(request)) return null;
            var response = new ArrayBufferWriter<byte>(4096);
            while (true)
            {
                var read = socket.Receive(response.GetSpan(4096), deadline);
                if (read < 0) return null;
                response.Advance(read);
                switch (AgentReply.Frame(response.WrittenSpan, ended: read == 0, out var body))
                {
                    case AgentReply.Framing.Whole: return AgentReply.Read(body);
                    case AgentReply.Framing.Unusable: return null;
                }
                if (read == 0 || response.WrittenCount > MaxResponseBytes) return null;
            }
        }
        catch (Exception)
        {
            // Whatever else went wrong between plugin and agent, direct mode serves the call.
            return null;
        }
    }

    /// <summary>The retry deadline the dispatcher would work within (read by the same parser), plus the grace.</summary>
    static long TimeoutMs() =>
        (long)(Cni.Stores.RetryDeadlineFrom(Environment.GetEnvironmentVariable).RetryDeadline ?? RetryPolicy.Default.Deadline).TotalMilliseconds + ReplyGraceMs;

    /// <summary>At least 1 ms: a socket timeout of 0 means none.</summary>
    static int Remaining(long deadline) => (int)Math.Clamp(deadline - Environment.TickCount64, 1, int.MaxValue);

    /// <summary>
    /// <c>POST /v1/cni</c> with <c>{"env":{…},"stdin":"base64"}</c>: the CNI variables, the plugin's own
    /// settings and the node name, and nothing else of the environment.
    /// </summary>
    static byte[] Request(ReadOnlySpan<byte> stdin)
    {
        var body = new ArrayBufferWriter<byte>(1024 + stdin.Length * 4 / 3);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteStartObject("env");
            foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
                if (variable.Key is string name && Forwarded(name)) json.WriteString(name, variable.Value as string);
            json.WriteEndObject();
            json.WriteBase64String("stdin", stdin);
            json.WriteEndObject();
        }
        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"POST /v1/cni HTTP/1.1\r\nHost: whereabouts-node\r\nContent-Type: application/json\r\nContent-Length: {body.WrittenCount}\r\nConnection: close\r\n\r\n"));
        return [.. head, .. body.WrittenSpan];
    }

    static bool Forwarded(string name) =>
        name.StartsWith("CNI_", StringComparison.Ordinal) || name.StartsWith("WHEREABOUTS_", StringComparison.Ordinal) || name == "NODENAME";
}
