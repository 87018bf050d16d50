import { useStudio } from '../../state/store';
import { IDEAS, ideaElementId, recipeIdeas, REFERENCES, type IdeaId, type ReferenceId } from './ideas';
import { WeightPicture } from './WeightPicture';
import { TourStory } from '../tour/Tour';

function Reference({ id }: { id: ReferenceId }) {
  const r = REFERENCES[id];
  return r.url ? (
    <a href={r.url} target="_blank" rel="noopener noreferrer">
      {r.text}
    </a>
  ) : (
    <cite>{r.text}</cite>
  );
}

/** One idea with its reference (also the sensitivity view's explanation). */
export function IdeaCard({ id }: { id: IdeaId }) {
  const idea = IDEAS[id];
  return (
    <article className="idea" aria-labelledby={`${ideaElementId(id)}-h`} data-testid={ideaElementId(id)}>
      <h3 id={`${ideaElementId(id)}-h`}>{idea.title}</h3>
      <p id={ideaElementId(id)}>{idea.text}</p>
      <p className="idea-ref">
        <Reference id={idea.ref} />
      </p>
    </article>
  );
}

/**
 * How the chosen recipe works: the lecture tour's story when a tour is on, a live picture of one layer of the selected model under the
 * recipe, then the idea behind each chosen method with one reference, in the order of the
 * controls (each control names its idea in aria-describedby). Texts: ideas.ts.
 */
export function ExplainPanel() {
  const settings = useStudio((s) => s.compressSettings);
  const i = recipeIdeas(settings);
  const shown = [i.prune, i.schedule, i.finetune, i.format, i.scales, i.calibration, i.combined].filter((x): x is IdeaId => !!x);
  return (
    <div className="explain-body" data-testid="explain">
      <TourStory />
      <WeightPicture />
      {shown.map((id) => (
        <IdeaCard key={id} id={id} />
      ))}
      <p className="idea-ref study-ref">
        The studio starts from <Reference id="study" />.
      </p>
    </div>
  );
}
