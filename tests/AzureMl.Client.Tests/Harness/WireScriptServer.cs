using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AzureMl.Client.Tests;

/// <summary>
/// A loopback HTTP/1.1 server on a raw socket that answers each request as a script says, including the ways a
/// connection can end that a real server or proxy produces (closed or reset before an answer, cut or stalled
/// mid-body). It is the <see cref="Transport.Socket"/> transport of <see cref="FakeService"/>: each request it read
/// whole goes to the service's answers as a <see cref="FakeCall"/> with the connection it came on.
/// </summary>
internal sealed class WireScriptServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<FakeCall, Task<FakeAnswer>> _script;
    private readonly ConcurrentBag<Socket> _sockets = [];
    private int _connections;
    private int _stalled;
    private int _disposed;

    /// <param name="script">Given a request, says how to answer it.</param>
    public WireScriptServer(Func<FakeCall, Task<FakeAnswer>> script)
    {
        _script = script;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How many answers have been sent as far as their stall (headers and half the body).</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _listener.Stop();
        foreach (var s in _sockets)
        {
            s.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _sockets.Add(socket);
            var connection = Interlocked.Increment(ref _connections);
            _ = ServeAsync(socket, connection);
        }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        var buffer = new List<byte>();
        var chunk = new byte[16 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(socket, buffer, chunk, connection);
                if (request is null)
                {
                    socket.Dispose();
                    return;
                }

                var reply = await _script(request);
                if (!await ReplyAsync(socket, reply))
                {
                    return;
                }
            }
        }
        catch (Exception)
        {
            socket.Dispose();
        }
    }

    private async Task<bool> ReplyAsync(Socket socket, FakeAnswer reply)
    {
        var partial = $"HTTP/1.1 {reply.Status} X\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" + new string(' ', 10) + "{\"Results\":{\"output1\":{\"type\":\"table\",\"v";
        switch (reply.End)
        {
            case WireEnd.Answer:
                await socket.SendAsync(Format(reply), SocketFlags.None, _stop.Token);
                return true;
            case WireEnd.CloseBeforeAnswer:
                socket.Shutdown(SocketShutdown.Both);
                socket.Close();
                return false;
            case WireEnd.ResetBeforeAnswer:
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                return false;
            case WireEnd.ResetMidBody:
                await SendAsync(socket, partial);
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                return false;
            case WireEnd.CloseMidBody:
                await SendAsync(socket, partial);
                socket.Shutdown(SocketShutdown.Both);
                socket.Close();
                return false;
            case WireEnd.StallMidBody:
                await SendAsync(socket, partial);
                Interlocked.Increment(ref _stalled);
                return false;
            default:
                throw new InvalidOperationException(reply.End.ToString());
        }
    }

    private async Task SendAsync(Socket socket, string text) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None, _stop.Token);

    private static byte[] Format(FakeAnswer reply)
    {
        var head = new StringBuilder().Append("HTTP/1.1 ").Append(reply.Status).Append(" X\r\n");
        if (reply.ContentType is not null)
        {
            head.Append("Content-Type: ").Append(reply.ContentType).Append("\r\n");
        }

        if (reply.ExtraHeaders is not null)
        {
            head.Append(reply.ExtraHeaders.TrimEnd('\r', '\n')).Append("\r\n");
        }

        var body = reply.BodyBytes;
        var wire = new MemoryStream();
        if (reply.Chunked)
        {
            wire.Write(Encoding.ASCII.GetBytes(head.Append("Transfer-Encoding: chunked\r\n\r\n").ToString()));
            for (var at = 0; at < body.Length; at += 4096)
            {
                var size = Math.Min(4096, body.Length - at);
                wire.Write(Encoding.ASCII.GetBytes(size.ToString("x") + "\r\n"));
                wire.Write(body, at, size);
                wire.Write("\r\n"u8);
            }

            wire.Write("0\r\n\r\n"u8);
            return wire.ToArray();
        }

        wire.Write(Encoding.ASCII.GetBytes(head.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n").ToString()));
        wire.Write(body);
        return wire.ToArray();
    }

    private async Task<FakeCall?> ReadRequestAsync(Socket socket, List<byte> buffer, byte[] chunk, int connection)
    {
        int headerEnd;
        while ((headerEnd = IndexOf(buffer, "\r\n\r\n"u8, 0)) < 0)
        {
            if (!await FillAsync(socket, buffer, chunk))
            {
                return null;
            }
        }

        var head = Encoding.ASCII.GetString([.. buffer.GetRange(0, headerEnd)]);
        buffer.RemoveRange(0, headerEnd + 4);
        var lines = head.Split("\r\n");
        var first = lines[0].Split(' ');
        var length = 0;
        long? declared = null;
        var chunked = false;
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim());
                declared = length;
            }
            else if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        var body = new List<byte>();
        if (chunked)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf(buffer, "\r\n"u8, 0)) < 0)
                {
                    if (!await FillAsync(socket, buffer, chunk))
                    {
                        return null;
                    }
                }

                var size = Convert.ToInt32(Encoding.ASCII.GetString([.. buffer.GetRange(0, lineEnd)]).Split(';')[0].Trim(), 16);
                buffer.RemoveRange(0, lineEnd + 2);
                while (buffer.Count < size + 2)
                {
                    if (!await FillAsync(socket, buffer, chunk))
                    {
                        return null;
                    }
                }

                body.AddRange(buffer.GetRange(0, size));
                buffer.RemoveRange(0, size + 2);
                if (size == 0)
                {
                    break;
                }
            }
        }
        else
        {
            while (buffer.Count < length)
            {
                if (!await FillAsync(socket, buffer, chunk))
                {
                    return null;
                }
            }

            body.AddRange(buffer.GetRange(0, length));
            buffer.RemoveRange(0, length);
        }

        var path = first.Length > 1 ? first[1].Split('?')[0] : string.Empty;
        return new FakeCall(first[0], path, [.. body], head) { Index = -1, Connection = connection, ContentLength = declared };
    }

    private async Task<bool> FillAsync(Socket socket, List<byte> buffer, byte[] chunk)
    {
        var read = await socket.ReceiveAsync(chunk, SocketFlags.None, _stop.Token);
        if (read == 0)
        {
            return false;
        }

        buffer.AddRange(chunk.AsSpan(0, read));
        return true;
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> pattern, int from)
    {
        for (var i = from; i + pattern.Length <= buffer.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = buffer[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
