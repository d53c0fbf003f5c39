package org.commvq.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.generate.GenerationResult;
import org.commvq.model.generate.Generator;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.sampling.Sampler;
import org.commvq.model.tokenizer.ChatMessage;
import org.commvq.model.tokenizer.ChatTemplate;
import org.commvq.model.tokenizer.Llama3Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * An interactive chat: one user line per turn from standard input, the reply streamed back. The conversation stays
 * in the KV cache, so each turn only feeds its new tokens.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with the model (Llama 3 instruct template); one message per line, end with Ctrl-D.")
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    CacheOptions cacheOptions;
    @Mixin
    SamplingOptions samplingOptions;
    @Mixin
    DeviceOptions deviceOptions;
    @Mixin
    DebugOption debugOption;

    @Option(names = "--system", paramLabel = "TEXT", description = "system prompt")
    String system;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", defaultValue = "256",
            description = "most tokens per reply (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DeviceOptions.Selected device = deviceOptions.select();
        try (LoadedModel model = modelOptions.load();
             InferenceSession session = deviceOptions.open(device, model, cacheOptions)) {
            Llama3Tokenizer tokenizer = model.tokenizer();
            ChatTemplate template = ChatTemplate.of(tokenizer);
            template.fallbackNotice().ifPresent(n -> err.println("note: " + n));
            Sampler sampler = new Sampler(samplingOptions.params());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int pendingToken = -1;
            boolean first = true;
            while (true) {
                out.print("> ");
                out.flush();
                String line = in.readLine();
                if (line == null) {
                    out.println();
                    return 0;
                }
                if (line.isBlank()) {
                    continue;
                }
                int[] ids;
                if (first) {
                    List<ChatMessage> conversation = new ArrayList<>();
                    if (system != null) {
                        conversation.add(ChatMessage.system(system));
                    }
                    conversation.add(ChatMessage.user(line));
                    ids = template.prompt(conversation);
                    first = false;
                } else {
                    ids = prepend(pendingToken, template.nextTurn(line));
                }
                if (session.length() + ids.length >= session.capacity()) {
                    err.println("the conversation has filled --ctx-size " + session.capacity() + "; start a new chat");
                    return 0;
                }
                ReplyPrinter reply = new ReplyPrinter(out, tokenizer.streamDecoder(), template.stopTexts());
                GenerationResult r = new Generator(session).generate(ids, maxTokens, sampler,
                        id -> template.isStop(id) || reply.stopped(), reply::accept);
                reply.finish();
                int[] g = r.generated();
                boolean endedByToken = r.stopReason() == GenerationResult.StopReason.END_OF_TEXT && !reply.stopped();
                pendingToken = endedByToken || g.length == 0 ? -1 : g[g.length - 1];
                if (r.stopReason() == GenerationResult.StopReason.CONTEXT_FULL) {
                    err.println("the conversation has filled --ctx-size " + session.capacity() + "; start a new chat");
                    return 0;
                }
            }
        }
    }

    /** The reply's last token is not in the cache unless an end token stopped it; feed it before the next turn. */
    private static int[] prepend(int token, int[] ids) {
        if (token < 0) {
            return ids;
        }
        int[] all = new int[ids.length + 1];
        all[0] = token;
        System.arraycopy(ids, 0, all, 1, ids.length);
        return all;
    }

    /** Streams reply text, holding back anything that may be the start of a stop text so it is never printed. */
    private static final class ReplyPrinter {
        private final PrintWriter out;
        private final Llama3Tokenizer.StreamDecoder decoder;
        private final List<String> stopTexts;
        private final StringBuilder pending = new StringBuilder();
        private boolean stopped;

        ReplyPrinter(PrintWriter out, Llama3Tokenizer.StreamDecoder decoder, List<String> stopTexts) {
            this.out = out;
            this.decoder = decoder;
            this.stopTexts = stopTexts;
        }

        void accept(int id) {
            if (stopped) {
                return;
            }
            pending.append(decoder.next(id));
            for (String stop : stopTexts) {
                int at = pending.indexOf(stop);
                if (at >= 0) {
                    pending.setLength(at);
                    stopped = true;
                }
            }
            int hold = stopped ? 0 : heldBack();
            out.print(pending.substring(0, pending.length() - hold));
            out.flush();
            pending.delete(0, pending.length() - hold);
        }

        boolean stopped() {
            return stopped;
        }

        void finish() {
            if (!stopped) {
                pending.append(decoder.finish());
            }
            out.println(pending.toString().stripTrailing());
            pending.setLength(0);
        }

        private int heldBack() {
            int hold = 0;
            for (String stop : stopTexts) {
                for (int k = Math.min(stop.length() - 1, pending.length()); k > hold; k--) {
                    if (pending.substring(pending.length() - k).equals(stop.substring(0, k))) {
                        hold = k;
                        break;
                    }
                }
            }
            return hold;
        }
    }
}
