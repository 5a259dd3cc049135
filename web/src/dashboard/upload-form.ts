import { byId } from '../lib/dom';
import { bytes, percent } from '../lib/format';
import type { JobView } from '../lib/types';
import { getJson } from '../lib/api';
import { needsSlots, uploadThroughSlots, type UploadConfig } from './slot-upload';
import { uploadFiles, type Upload } from './upload';

const ACCEPT: Record<string, string> = { audio: 'audio/*', img_square: 'image/*', img_backdrop: 'image/*' };

/** The upload form: files + template, a progress bar fed by the upload's own progress events. */
export function setUpUploadForm(onJobs: (jobs: JobView[]) => void): void {
  const form = byId<HTMLFormElement>('upload-form');
  const input = byId<HTMLInputElement>('files');
  const template = byId<HTMLSelectElement>('template');
  const button = byId<HTMLButtonElement>('upload-button');
  const cancel = byId<HTMLButtonElement>('upload-cancel');
  const status = byId('upload-status');
  const bar = byId<HTMLProgressElement>('upload-progress');
  const text = byId('upload-text');
  const error = byId('upload-error');
  let current: Upload | undefined;
  // Behind a body limit (a Lambda deployment), larger uploads go through presigned slots.
  const config = getJson<UploadConfig>('/storage/upload-config').catch(() => null);

  const accept = () => (input.accept = ACCEPT[template.value] ?? '');
  template.addEventListener('change', accept);
  accept();
  cancel.addEventListener('click', () => current?.abort());

  const showProgress = (sent: number, total: number) => {
    const fraction = total > 0 ? sent / total : 0;
    bar.value = Math.round(fraction * 1000) / 10;
    bar.setAttribute('aria-valuetext', percent(fraction));
    text.textContent = `${bytes(sent)} of ${bytes(total)} · ${percent(fraction)}`;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const files = [...(input.files ?? [])];
    if (files.length === 0 || current) return;
    error.hidden = true;
    status.hidden = false;
    button.disabled = true;
    cancel.hidden = false;
    showProgress(
      0,
      files.reduce((n, f) => n + f.size, 0),
    );
    current = needsSlots(await config, files)
      ? uploadThroughSlots(files, template.value, showProgress)
      : uploadFiles(files, template.value, showProgress);
    try {
      const jobs = await current.done;
      showProgress(1, 1);
      text.textContent = `Uploaded ${jobs.length} file${jobs.length === 1 ? '' : 's'}: ${jobs.map((j) => j.source_info.description).join(', ')}`;
      input.value = '';
      onJobs(jobs);
    } catch (err) {
      status.hidden = true;
      const e = err as { message?: string; code?: string };
      error.textContent =
        e.code && e.code !== 'CANCELLED' ? `${e.message} (${e.code})` : (e.message ?? String(err));
      error.hidden = false;
    } finally {
      current = undefined;
      button.disabled = false;
      cancel.hidden = true;
    }
  });
}
